package i18n

// The texts of keeping, sharing, embedding and undoing: notices, the share
// panel, and what a link, saved work or an exercise file had that could
// not be used.
func init() {
	Add(map[string]Entry{
		"notice.restored":      {"Your edits were restored.", "已恢复你上次的修改。"},
		"notice.link":          {"Opened the state this link was made with.", "已打开这个链接所保存的状态。"},
		"notice.saved_ignored": {"Your saved work could not be read, so the walkthrough starts from its default numbers.", "无法读取已保存的内容，演练从默认数字开始。"},
		"notice.ignored":       {"Ignored:", "已忽略："},
		"notice.dismiss":       {"Dismiss", "关闭"},

		"history.label": {"History", "历史"},
		"history.undo":  {"Undo", "撤销"},
		"history.redo":  {"Redo", "重做"},

		"share.title":         {"Keep and share", "保存与分享"},
		"share.copy_link":     {"Copy link", "复制链接"},
		"share.copy_embed":    {"Copy embed code", "复制嵌入代码"},
		"share.export":        {"Export exercise", "导出练习"},
		"share.export.title":  {"Save every variable, the noise seed and the mode as a JSON file.", "把所有变量、噪声种子和算法保存为 JSON 文件。"},
		"share.import":        {"Import exercise…", "导入练习…"},
		"share.import.title":  {"Open an exercise file (JSON) exported from this walkthrough or written by hand.", "打开从本演练导出或手写的练习文件（JSON）。"},
		"share.text":          {"What was copied", "复制的内容"},
		"share.link":          {"Link", "链接"},
		"share.embed":         {"Embed code", "嵌入代码"},
		"share.copied":        {"copied.", "已复制。"},
		"share.copy_failed":   {"The browser did not let us copy: select the text below and copy it yourself.", "浏览器不允许复制：请选中下面的文字，手动复制。"},
		"share.exported":      {"Saved as", "已保存为"},
		"share.imported":      {"Exercise imported. Undo brings the previous numbers back.", "练习已导入。撤销可恢复之前的数字。"},
		"share.import_failed": {"Nothing was changed:", "未做任何改动："},
		"file.unreadable":     {"the file could not be read.", "无法读取该文件。"},
		"embed.open":          {"Open this walkthrough in a new tab", "在新标签页中打开这个演练"},

		"state.newer":          {"made by a newer version of byhand, so it was not opened", "由更新版本的 byhand 生成，因此没有打开"},
		"state.bad_version":    {"not a format version byhand knows", "不是 byhand 认识的格式版本"},
		"state.damaged":        {"part of the link is damaged", "链接有一部分已损坏"},
		"state.unknown_option": {"not an option byhand knows", "不是 byhand 认识的选项"},
		"state.bad_number":     {"not a number", "不是数"},
		"state.too_large":      {"too large to be a number here", "数太大，无法使用"},
		"state.no_var":         {"this walkthrough has no such variable", "这个演练没有这个变量"},
		"state.bad_count":      {"the wrong number of values for this matrix", "这个矩阵的数值个数不对"},
		"state.bad_cell":       {"no such cell (row.column:value, counted from 1)", "没有这个单元格（行.列:值，从 1 数起）"},
		"state.bad_step":       {"no such step", "没有这一步"},
		"state.bad_mode":       {"the mode is hand or exact", "算法只能是 hand 或 exact"},
		"state.bad_lr":         {"the learning rate must be above 0 and at most 10", "学习率必须大于 0 且不超过 10"},
		"state.bad_n":          {"the number of steps must be a whole number from 1 to 10000", "步数必须是 1 到 10000 之间的整数"},
		"state.bad_seed":       {"a seed is a whole number from 0 up", "种子必须是不小于 0 的整数"},
		"state.no_noise":       {"this walkthrough draws no noise, so it has no seed", "这个演练不抽取噪声，因此没有种子"},
		"state.bad_panel":      {"no such panel", "没有这个面板"},
		"state.corrupt":        {"the saved work is damaged", "保存的内容已损坏"},
		"state.foreign":        {"the saved work belongs to another walkthrough", "保存的内容属于另一个演练"},
		"state.too_big":        {"too large to read (at most 256 KB)", "太大，无法读取（最多 256 KB）"},
		"file.not_json":        {"not a JSON object", "不是 JSON 对象"},
		"file.no_version":      {"not a byhand exercise file (no \"byhand_exercise\": 1)", "不是 byhand 练习文件（缺少 \"byhand_exercise\": 1）"},
		"file.wrong_model":     {"the file is for another walkthrough", "这个文件属于另一个演练"},
		"file.bad_shape":       {"the matrix has the wrong shape (found / expected)", "矩阵的形状不对（实际 / 应为）"},
		"file.missing":         {"missing", "缺少"},
		"file.wrong_type":      {"the wrong kind of value (numbers in rows: [[1, 2], [3, 4]])", "值的类型不对（应为按行排列的数：[[1, 2], [3, 4]]）"},
		"file.unknown_field":   {"not a field of an exercise file", "不是练习文件的字段"},
		"file.no_variables":    {"the file has no \"variables\"", "文件中没有 \"variables\""},
	})
}
