package i18n

// Texts that screen readers read and the page does not show: tables'
// captions and headers, and what a cell says when it has the focus.
func init() {
	Add(map[string]Entry{
		// A table's caption: the matrix's name, role and frame, joined by
		// this separator ("W₁ | b₁, parameter, trainable").
		"table.sep": {", ", "，"},
		// The header of the row of 1s under a folded-bias input.
		"table.ones": {"row of 1s", "全 1 行"},
		// A ReLU output that crossed out a negative: "−1, ReLU gives 0".
		"cell.relu": {"{before}, ReLU gives {after}", "{before}，经 ReLU 得 {after}"},
		// A cell whose number is not finite (it shows "—").
		"cell.undefined": {"undefined", "未定义"},
	})
}
