package i18n

// The page of an address that names no page, and the titles of the
// browser's tab.
func init() {
	Add(map[string]Entry{
		"site.title": {"byhand: small neural networks, worked by hand", "byhand：亲手演算的小型神经网络"},

		"notfound.doctitle": {"No such page", "页面不存在"},
		"notfound.heading":  {"There is no page at this address.", "这个地址上没有页面。"},
		"notfound.text": {"The link may be mistyped or out of date. Each walkthrough has a short address of its own, such as …/autoencoder, with no slash and no .html at the end.",
			"链接可能拼错了，也可能已经过时。每个演练都有自己的简短地址，例如 …/autoencoder，末尾既没有斜杠，也没有 .html。"},
		"notfound.home": {"Go to all walkthroughs", "前往全部演练"},
		"notfound.list": {"Or open one of them directly:", "也可以直接打开其中一个："},
	})
}
