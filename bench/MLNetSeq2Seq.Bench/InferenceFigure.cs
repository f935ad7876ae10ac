using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq.Bench;

/// <summary>Figure 3: batched Transform versus a per-row PredictionEngine loop, with hand-written references.</summary>
internal static class InferenceFigure
{
    public static void Run(BenchArguments arguments)
    {
        Report.Heading($"Figure 3: inference, Transform rows/s ÷ PredictionEngine rows/s on {arguments.InferenceRows} sequences (target ≥ 20)");
        var results = new List<InferenceComparison>();
        foreach (int length in arguments.InferenceLengths)
        {
            var comparison = new InferenceComparison(new Workload(length, arguments.InferenceRows), arguments.RawPerRowRows);
            results.Add(comparison);
            for (int round = 0; round < arguments.InferencePairs; round++)
            {
                InferencePair p = comparison.RunPair(round);
                Report.Progress($"L={length} round {round + 1}/{arguments.InferencePairs}: Transform {Report.F(p.TransformRowsPerSecond, "F0")} rows/s, "
                    + $"engine {Report.F(p.EngineRowsPerSecond, "F1")} rows/s, raw batched {Report.F(p.RawBatchedRowsPerSecond, "F0")} rows/s, "
                    + $"raw per row {Report.F(p.RawPerRowRowsPerSecond, "F1")} rows/s; speedup {Report.F(p.Speedup, "F1")}, max |Transform − engine| {p.MaxAbsDifference:G2}");
            }
        }
        Report.Table(
            new[] { "L", "rows", "rounds", "Transform rows/s", "engine rows/s", "speedup", "raw batched ÷ Transform", "raw per-row ÷ engine", "raw batched ÷ raw per-row", "max abs diff", "target" },
            results.Select(c =>
            {
                var pairs = c.Pairs;
                Summary speedup = Summary.Of(pairs.Select(p => p.Speedup));
                return (IReadOnlyList<string>)new[]
                {
                    c.Workload.InputLength.ToString(), c.Workload.RowCount.ToString(), pairs.Count.ToString(),
                    Summary.Of(pairs.Select(p => p.TransformRowsPerSecond)).Format("F0"), Summary.Of(pairs.Select(p => p.EngineRowsPerSecond)).Format("F1"),
                    speedup.Format("F1"), Summary.Of(pairs.Select(p => p.TransformOverhead)).Format("F2"), Summary.Of(pairs.Select(p => p.EngineOverhead)).Format("F2"),
                    Summary.Of(pairs.Select(p => p.RawSpeedup)).Format("F1"), pairs.Max(p => p.MaxAbsDifference).ToString("G2"), Report.Verdict(speedup.Median >= 20),
                };
            }));
        Report.Line("speedup: per round, (rows ÷ Transform seconds) ÷ (rows ÷ engine seconds); Transform reads the Score column through a cursor");
        Report.Line("(blocks of InferenceBatchSize = 256), the engine calls Predict once per row with a reused output object.");
        Report.Line("raw batched ÷ Transform and raw per-row ÷ engine: a hand-written TorchSharp forward of the same architecture (no ML.NET), in blocks");
        Report.Line("of 256 and per row; 1 means the component adds nothing. raw batched ÷ raw per-row: what batching alone buys on this machine.");
        Report.Line("max abs diff: largest difference between Transform's and the engine's scores (same model).");
        foreach (InferenceComparison comparison in results)
            comparison.Dispose();
    }
}
