package i18n

// The export menu of a step card: save the step as a picture, copy a
// matrix as CSV or LaTeX. "{name}" stands for a matrix's name and
// "{file}" for a file's name.
func init() {
	Add(map[string]Entry{
		"export.label": {"Export", "导出"},
		"export.title": {"Save this step as a picture, or copy a matrix, for slides and notes.",
			"把这一步存为图片，或复制其中的矩阵，用于幻灯片和笔记。"},
		"export.svg":       {"Save as SVG", "存为 SVG"},
		"export.svg.title": {"A vector picture of this step: sharp at any size.", "这一步的矢量图：放大多少都清晰。"},
		"export.png":       {"Save as PNG", "存为 PNG"},
		"export.png.title": {"A picture of this step at twice the screen's resolution.", "这一步的图片，分辨率是屏幕的两倍。"},
		"export.copy":      {"Copy", "复制"},
		"export.copy.csv":  {"Copy {name} as CSV", "把 {name} 复制为 CSV"},
		"export.copy.tex":  {"Copy {name} as LaTeX", "把 {name} 复制为 LaTeX"},
		"export.copied":    {"Copied.", "已复制。"},
		"export.copied.csv": {"Copied {name} as CSV: paste it into a spreadsheet.",
			"已把 {name} 复制为 CSV：可以粘贴到电子表格里。"},
		"export.copied.tex": {"Copied {name} as LaTeX (it needs the amsmath package).",
			"已把 {name} 复制为 LaTeX（需要 amsmath 宏包）。"},
		"export.copy.failed": {"Could not copy: the text is selected below, copy it yourself.",
			"无法复制：文本已在下方选中，请自行复制。"},
		"export.copy.text": {"The text to copy", "要复制的文本"},
		"export.saved":     {"Saved {file}.", "已保存 {file}。"},
		"export.failed":    {"Could not make the picture in this browser.", "这个浏览器无法生成图片。"},
	})
}
