package i18n

// Texts about numbers that grow beyond what can be computed, shared by the
// walkthroughs whose softmax takes powers (engine/steps_attention.go).
func init() {
	Add(map[string]Entry{
		"undefined.overflow.hand": {
			EN: "Undefined: a power 3ˣ here, or a sum of such powers, is too large to compute (overflow). On paper the softmax takes its powers as they are; Exact mode first subtracts each line's largest value, so that no power is above 1 and it has an answer. Switch to Exact, or make an earlier number smaller.",
			ZH: "无定义：这里的某个幂 3ˣ，或这些幂的和，太大而无法计算（溢出）。手算时 softmax 直接求幂；精确模式会先减去每一行（列）的最大值，使每个幂都不超过 1，因而能算出结果。请切换到精确模式，或把前面的某个数改小。"},
	})
}
