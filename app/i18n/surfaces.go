package i18n

// The texts of printing.
func init() {
	Add(map[string]Entry{
		"print.label": {"Print", "打印"},
		"print.title": {"Print every step of the walkthrough (Ctrl+P)", "打印本演练的全部步骤（Ctrl+P）"},
	})
}
