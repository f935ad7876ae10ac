using System;
using System.IO;
using Microsoft.ML;
using MLNetSeq2Seq.Windows;
using MLNetSeq2Seq.Forecasting;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;

namespace MLNetSeq2Seq.ModelFile;

/// <summary>
/// The model-file codec of <see cref="Seq2SeqTransformer"/>: one Save and one Load that write and read the same fields
/// in the same order. Version history (ML.NET's 0x00MMmmmm), one line per version:
/// 0x00010001 columns, batch size, architecture, history, weights stream (no longer read: no integrity check);
/// 0x00010002 body and weights are checked blocks (length, bytes, SHA-256) (never released, not read);
/// 0x00010003 architecture: ResidualDecoding; history: peak learning rate (oldest version read);
/// 0x00010004 architecture: family, segment length, instance normalisation (+affine), channel independence, targets;
/// 0x00010005 column names in ML.NET's string table; the block ends with the Score slot names;
/// 0x00010006 the block ends with the training series;
/// 0x00010007 architecture: quantile levels;
/// 0x00010008 training series: series column and per-series statistics;
/// 0x00010009 known-future inputs: architecture K, future-feature column and spec;
/// 0x0001000A quantile calibration (conformal offsets);
/// 0x0001000B architecture: lookback;
/// 0x0001000C architecture: the family's own fields (a length-prefixed block).
/// </summary>
internal static class Seq2SeqModelFile
{
    internal const string LoaderSignature = "Seq2SeqTransformer";
    private const uint FirstVersionWithForecastingArchitecture = 0x00010004;
    private const uint FirstVersionWithStringTableNames = 0x00010005;
    private const uint FirstVersionWithTrainingSeries = 0x00010006;
    private const uint FirstVersionWithQuantiles = 0x00010007;
    private const uint FirstVersionWithManySeries = 0x00010008;
    private const uint FirstVersionWithFutureFeatures = 0x00010009;
    private const uint FirstVersionWithQuantileCalibration = 0x0001000A;
    private const uint FirstVersionWithLookback = 0x0001000B;
    private const uint FirstVersionWithFamilyFields = 0x0001000C;
    private static readonly ModelFormat s_format = new("S2SEQTRF", LoaderSignature, FirstVersionWithFamilyFields, 0x00010003, typeof(Seq2SeqTransformer));
    private const string WeightsStreamName = "Weights";

    /// <summary>
    /// Binary format (current version):
    /// checked block (long length, bytes, SHA-256) holding: int inference batch size; architecture
    /// (NetworkArchitecture.Write); history (TrainingHistoryFormat.Write); int Score slot-name count (0 or H × O) and the
    /// names; bool has training series, then TrainingSeries.Write and WriteManySeries; bool has future-feature column,
    /// then its name; bool has FutureFeatureSpec, then FutureFeatureSpec.Write; bool has calibration, then
    /// QuantileCalibration.Write. Then: feature and score column names (string table ids); stream "Weights": checked
    /// block holding the network's TorchSharp state dict (CPU tensors).
    /// Before 0x00010005 the block began with the two names as strings, and no ids followed it.
    /// </summary>
    public static void Save(ModelSaveContext ctx, Seq2SeqModelState state, NetworkArchitecture architecture, byte[] weights)
    {
        ModelWriter.Save(ctx, s_format, writer =>
        {
            writer.WriteCheckedBlock(body =>
            {
                body.Write(state.InferenceBatchSize);
                architecture.Write(body);
                TrainingHistoryFormat.Write(body, state.History);
                body.Write(state.ScoreSlotNames?.Count ?? 0);
                foreach (string name in state.ScoreSlotNames ?? Array.Empty<string>())
                    body.Write(name);
                body.Write(state.TrainingSeries is not null);
                state.TrainingSeries?.Write(body);
                state.TrainingSeries?.WriteManySeries(body);
                body.Write(state.FutureFeatureColumnName is not null);
                if (state.FutureFeatureColumnName is not null)
                    body.Write(state.FutureFeatureColumnName);
                body.Write(state.FutureFeatures is not null);
                state.FutureFeatures?.Write(body);
                body.Write(state.QuantileCalibration is not null);
                state.QuantileCalibration?.Write(body);
            });
            writer.WriteNonEmptyString(state.FeatureColumnName);
            writer.WriteNonEmptyString(state.ScoreColumnName);
            writer.WriteCheckedStream(WeightsStreamName, weights);
        });
    }

    /// <summary>Reads what <see cref="Save"/> wrote (any version back to 0x00010003), in the same order, checks the
    /// weights' size against the architecture, then runs <paramref name="build"/> on what was read. Damage found while
    /// reading or building is a <see cref="FormatException"/> that says the model is damaged.</summary>
    public static T Load<T>(ModelLoadContext ctx, Func<Seq2SeqModelState, NetworkArchitecture, byte[], T> build) =>
        ModelReader.Load(ctx, s_format, reader =>
        {
            uint version = reader.WrittenVersion;
            bool namesInStringTable = version >= FirstVersionWithStringTableNames;
            var (oldFeatureName, oldScoreName, state, architecture) = reader.ReadCheckedBlock(body =>
            {
                string? feature = namesInStringTable ? null : ReadOldName(body, "feature column name");
                string? score = namesInStringTable ? null : ReadOldName(body, "score column name");
                int batch = body.ReadInt32();
                if (batch <= 0 || batch > Seq2SeqOptions.MaxInferenceBatchSize)
                    throw new InvalidDataException($"inference batch size {batch} is outside [1, {Seq2SeqOptions.MaxInferenceBatchSize}]");
                NetworkArchitecture architecture = NetworkArchitecture.Read(body, ArchitectureRevisionOf(version));
                TrainingHistory history = TrainingHistoryFormat.Read(body);
                string[]? slots = namesInStringTable ? ReadSlotNames(body, (long)architecture.Horizon * architecture.OutputFeatureCount) : null;
                TrainingSeries? series = version >= FirstVersionWithTrainingSeries && body.ReadBoolean() ? TrainingSeries.Read(body) : null;
                if (series is not null && version >= FirstVersionWithManySeries)
                    series = series.ReadManySeries(body);
                if (series is not null && (series.InputColumnNames.Count != architecture.InputFeatureCount || series.TargetColumnNames.Count != architecture.OutputFeatureCount))
                    throw new InvalidDataException($"the training series has {series.InputColumnNames.Count} input and {series.TargetColumnNames.Count} target columns, but the network {architecture.InputFeatureCount} and {architecture.OutputFeatureCount}");
                string? futureColumn = null;
                FutureFeatureSpec? futureSpec = null;
                if (version >= FirstVersionWithFutureFeatures)
                {
                    futureColumn = body.ReadBoolean() ? ReadOldName(body, "future-feature column name") : null;
                    futureSpec = body.ReadBoolean() ? FutureFeatureSpec.Read(body) : null;
                }
                if ((futureColumn is null) != (architecture.FutureFeatureCount == 0) || (futureSpec is not null && futureSpec.Count != architecture.FutureFeatureCount))
                    throw new InvalidDataException($"the network takes {architecture.FutureFeatureCount} known-future features per step, but the model names "
                        + $"{(futureColumn is null ? "no future-feature column" : $"column '{futureColumn}'")}{(futureSpec is null ? "" : $" of {futureSpec.Count} values per step")}");
                QuantileCalibration? calibration = version >= FirstVersionWithQuantileCalibration && body.ReadBoolean()
                    ? QuantileCalibration.Read(body, architecture.Quantiles, architecture.Horizon, architecture.OutputFeatureCount) : null;
                // The names are filled in below: from the block in old files, from the string table in new ones.
                var read = new Seq2SeqModelState("", "", batch, history, slots, series, futureColumn, futureSpec, calibration);
                return (feature, score, read, architecture);
            });
            state = state with
            {
                FeatureColumnName = oldFeatureName ?? reader.ReadNonEmptyString("feature column name"),
                ScoreColumnName = oldScoreName ?? reader.ReadNonEmptyString("score column name"),
            };

            byte[] weights = reader.ReadCheckedStream(WeightsStreamName, maxLength: Array.MaxLength);
            // Before building the network: an architecture far larger than its weights must not be allocated at all
            // (a close mismatch is left to NetworkWeights.Load, which names the tensor).
            if (architecture.MinimumWeightBytes() > 4.0 * weights.Length + (1 << 20))
                throw new InvalidDataException($"the saved architecture ({architecture}) needs at least {architecture.MinimumWeightBytes():F0} bytes of weights, but the weights stream holds only {weights.Length}");
            // Every recurrent layer holds at least two tensors (input and hidden weights): a layer count far beyond the
            // weights' tensor count would build a deep network only to refuse it.
            long tensors = NetworkWeights.TensorCount(weights);
            if (2L * architecture.LayerCount > tensors)
                throw new InvalidDataException($"the saved architecture has {architecture.LayerCount} layers, but the weights hold only {tensors} tensors (at least 2 per layer)");
            return build(state, architecture, weights);
        });

    private static ArchitectureRevision ArchitectureRevisionOf(uint version) =>
        version >= FirstVersionWithFamilyFields ? ArchitectureRevision.FamilyFields
        : version >= FirstVersionWithLookback ? ArchitectureRevision.Lookback
        : version >= FirstVersionWithFutureFeatures ? ArchitectureRevision.FutureFeatures
        : version >= FirstVersionWithQuantiles ? ArchitectureRevision.Quantiles
        : version >= FirstVersionWithForecastingArchitecture ? ArchitectureRevision.Forecasting
        : ArchitectureRevision.Recurrent;

    // Formats before 0x00010005 kept the names as strings inside the checked block.
    private static string ReadOldName(BinaryReader body, string what)
    {
        string name = body.ReadString();
        return name.Length > 0 ? name : throw new InvalidDataException($"the {what} is empty");
    }

    private static string[]? ReadSlotNames(BinaryReader body, long scoreLength)
    {
        int count = body.ReadInt32();
        if (count == 0)
            return null;
        if (count != scoreLength)
            throw new InvalidDataException($"the model holds {count} Score slot names, but Horizon × OutputFeatureCount = {scoreLength}");
        BytesLeft.Require(body, count, 1, "the Score slot names");
        var names = new string[count];
        for (int i = 0; i < count; i++)
            names[i] = body.ReadString();
        return names;
    }
}
