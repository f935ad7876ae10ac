using System;
using System.Collections.Generic;
using Microsoft.ML;
using MLNetSeq2Seq;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Workload W1 of the benchmark issue: a GRU encoder-decoder, 7 → 7 features, hidden 128, 2 + 2 layers,
/// horizon 24, teacher forcing 1, AdamW lr 1e-3 (weight decay 0.01 on matrices), clip by global norm 1.0,
/// constant schedule, MSE, batch 256, on random sequences of InputLength steps. Both sides of every figure
/// read their constants from here.
/// </summary>
internal sealed record Workload(int InputLength, int RowCount, int BatchSize = Workload.DefaultBatchSize, int? MicroBatchSize = null)
{
    public const int FeatureCount = 7;
    public const int OutputFeatureCount = 7;
    public const int Horizon = 24;
    public const int HiddenSize = 128;
    public const int LayerCount = 2;
    public const int DefaultBatchSize = 256;
    public const double LearningRate = 1e-3;
    public const double WeightDecay = 0.01;
    public const double GradientClipNorm = 1.0;
    public const int Seed = 1;

    /// <summary>The component's options for this workload: validation off, CPU, constant learning rate.</summary>
    public Seq2SeqOptions ComponentOptions(int maxEpochs, IProgress<EpochSummary>? progress) => new()
    {
        FeatureColumnName = SequenceRow.FeatureColumn,
        LabelColumnName = SequenceRow.LabelColumn,
        InputFeatureCount = FeatureCount,
        OutputFeatureCount = OutputFeatureCount,
        Horizon = Horizon,
        Cell = RecurrentCellType.Gru,
        HiddenSize = HiddenSize,
        LayerCount = LayerCount,
        FamilyOptions = new AutoregressiveOptions { Attention = AttentionKind.None },
        Dropout = 0,
        TeacherForcingRatio = 1,
        LearningRate = LearningRate,
        WeightDecay = WeightDecay,
        GradientClipNorm = GradientClipNorm,
        BatchSize = BatchSize,
        MicroBatchSize = MicroBatchSize,
        Schedule = { Kind = LearningRateSchedule.Constant },
        MaxEpochs = maxEpochs,
        ValidationFraction = 0,
        Device = ComputeDevice.Cpu,
        Seed = Seed,
        InferenceBatchSize = 256,
        Progress = progress,
    };

    /// <summary>Standard-normal features and labels, the same for a given (InputLength, RowCount, seed).</summary>
    public List<SequenceRow> GenerateRows(int seed = Seed)
    {
        var random = new Random(seed * 7919 + InputLength * 31 + RowCount);
        var rows = new List<SequenceRow>(RowCount);
        for (int n = 0; n < RowCount; n++)
        {
            var features = new float[InputLength * FeatureCount];
            var label = new float[Horizon * OutputFeatureCount];
            Fill(features, random);
            Fill(label, random);
            rows.Add(new SequenceRow { Features = features, Label = label });
        }
        return rows;
    }

    public IDataView ToDataView(MLContext ml, IEnumerable<SequenceRow> rows) =>
        ml.Data.LoadFromEnumerable(rows, SequenceRow.SchemaFor(InputLength));

    public override string ToString() =>
        $"L={InputLength}, N={RowCount}, batch {BatchSize}" + (MicroBatchSize is int m ? $" (micro {m})" : "");

    private static void Fill(float[] values, Random random)
    {
        // Box-Muller: standard normal values, two at a time.
        for (int i = 0; i < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length)
                values[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
        }
    }
}
