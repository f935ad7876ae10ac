using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.TrainingData;
using MLNetSeq2Seq.Windows;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.PyTorch;

/// <summary>
/// The training-data file python/mlnetseq2seq_ddp.py trains from: the rows Fit reads, through Fit's own
/// <see cref="TrainingSession"/> (shapes, validation split and gap, target mapping, seed, storage), with Fit's initial
/// weights and the loop's settings. safetensors; tensors:
/// <list type="bullet">
/// <item>per part ("train", "validation"): a window view's series, "{part}.inputs" (T, F), "{part}.targets" (T, O),
/// "{part}.future" (T, K) when there are known-future features, and "{part}.starts" (int64, one per window: the
/// window's first input row); other data: "{part}.features" (N, L, F), "{part}.labels" (N, H, O), "{part}.future"
/// (N, H, K). A series equal to one already written (the targets when they are the inputs, the validation series when
/// it is the training series) is written once and named twice in the layout.</item>
/// <item>"initial.{name}": the network's initial state dict (Fit's, from the seed).</item>
/// </list>
/// Metadata (strings; JSON where structured): format, format_version, architecture (<see cref="ArchitectureJson"/>),
/// layout (which tensor holds what, input_length, horizon, future_feature_count, window counts), training (the loop's
/// settings), series (input and target column names and statistics, when the data is a window view that knows them),
/// feature_column_name, score_column_name and score_slot_names for the interchange file the trainer writes back.
/// </summary>
internal static class PyTorchTrainingDataFile
{
    // Format history (metadata "format_version"):
    //   1  initial.
    public const string Format = "mlnetseq2seq-training";
    public const string FormatVersion = "1";

    public static PyTorchTrainingData Write(IHostEnvironment environment, IDataView input, Seq2SeqOptions userOptions, Stream stream)
    {
        Refuse(userOptions);
        Seq2SeqOptions options = userOptions.Clone();
        options.Device = ComputeDevice.Cpu; // the series are written from host memory; the trainer picks its own device
        using TrainingSession session = TrainingSession.Open(environment, options, input, "Seq2SeqTrainingDataExport");
        double peakLearningRate = PeakLearningRate(options, session);
        int batchSize = Seq2SeqTrainer.EffectiveBatchSize(options, session.TrainRows.Count);
        int stepsPerEpoch = EpochPlan.StepsPerEpoch(session.TrainRows.Count, batchSize);

        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        long seriesRows = 0;
        var layout = new JsonObject
        {
            ["input_length"] = (session.TrainRows as InMemorySequenceRows)?.Data.InputSteps ?? session.Shapes.InputLength,
            ["horizon"] = session.Shapes.Horizon,
            ["future_feature_count"] = session.Shapes.FutureFeatureCount,
            ["train"] = Part("train", session.TrainRows, tensors, ref seriesRows),
            ["validation"] = session.ValidationRows is ISequenceRows validation ? Part("validation", validation, tensors, ref seriesRows) : null,
        };
        using (var network = session.CreateNetwork())
        {
            foreach (var (name, tensor) in network.state_dict())
                tensors["initial." + name] = tensor.detach().cpu().contiguous();
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            ["architecture"] = ArchitectureJson.Write(session.Architecture),
            ["layout"] = layout.ToJsonString(),
            ["training"] = Training(options, session, batchSize, stepsPerEpoch, peakLearningRate).ToJsonString(),
            ["feature_column_name"] = options.FeatureColumnName,
            ["score_column_name"] = options.ScoreColumnName,
        };
        if (SequenceSlotNames.Of(input.Schema[options.LabelColumnName], session.Shapes.LabelLength) is string[] slots)
            metadata["score_slot_names"] = JsonSerializer.Serialize(slots);
        if (TrainingSeriesChecks.FromTrainingData(input.Schema, options, session.Shapes, session.Host) is TrainingSeries series)
            metadata["series"] = Series(series).ToJsonString();

        long begin = stream.CanSeek ? stream.Position : 0;
        SafeTensorsStreamWriter.Write(stream, metadata, tensors);
        long bytes = stream.CanSeek ? stream.Position - begin : 0;
        session.Host.Info(FormattableString.Invariant($"Seq2Seq: wrote the training data for PyTorch: {session.TrainRows.Count} training and {session.ValidationRows?.Count ?? 0} validation windows, ")
            + FormattableString.Invariant($"{seriesRows} series rows, batch {batchSize} ({stepsPerEpoch} steps per epoch), peak learning rate {peakLearningRate:G4}, seed {session.Seed}, {bytes} bytes."));
        return new PyTorchTrainingData(session.TrainRows.Count, session.ValidationRows?.Count ?? 0, seriesRows, session.Seed, batchSize, stepsPerEpoch, peakLearningRate, bytes);
    }

    private static void Refuse(Seq2SeqOptions options)
    {
        if (options.Quantiles is not null)
            throw new NotSupportedException($"{nameof(Seq2SeqOptions)}.{nameof(Seq2SeqOptions.Quantiles)} is set; the PyTorch trainer and the interchange format train point-forecast networks only. Export without Quantiles.");
        if (options.Streaming is not null)
            throw new NotSupportedException($"{nameof(Seq2SeqOptions)}.{nameof(Seq2SeqOptions.Streaming)} is set: streamed rows are not held by Fit, so there is no storage to export. "
                + "Export the component's window view (CreateSequenceWindows), whose series is written once, without Streaming.");
        if (options.Checkpoints?.ResumeFrom is not null)
            throw new NotSupportedException($"{nameof(Seq2SeqOptions)}.{CheckpointOptions.ResumeFromPath} is set; the export describes a run from its start. Leave it null.");
    }

    /// <summary>One part's tensors into <paramref name="tensors"/>; returns its layout entry.</summary>
    private static JsonObject Part(string part, ISequenceRows rows, Dictionary<string, Tensor> tensors, ref long seriesRows)
    {
        if (rows is not InMemorySequenceRows { Data: SequenceDataset data })
            throw new NotSupportedException($"The {part} rows are streamed; only rows Fit holds in memory can be exported.");
        if (data.FeatureSteps is not null || data.LabelSteps is not null)
            throw new NotSupportedException($"The {part} rows differ in length (padded windows); the PyTorch trainer takes full-length windows only.");
        var entry = new JsonObject { ["windows"] = data.Count };
        if (data.Storage is SeriesWindowStorage storage)
        {
            var (inputs, targets, starts) = storage.Series;
            entry["kind"] = "series";
            entry["inputs"] = Add(tensors, $"{part}.inputs", inputs, ref seriesRows);
            entry["targets"] = Add(tensors, $"{part}.targets", targets, ref seriesRows);
            entry["future"] = data.FutureFeatures?.SeriesForm is var (future, _) ? Add(tensors, $"{part}.future", future, ref seriesRows) : null;
            tensors[$"{part}.starts"] = torch.tensor(starts, dtype: ScalarType.Int64);
            entry["starts"] = $"{part}.starts";
            return entry;
        }
        var (features, labels) = data.Range(0, data.Count);
        long ignored = 0;
        entry["kind"] = "windows";
        entry["features"] = Add(tensors, $"{part}.features", features, ref ignored);
        entry["labels"] = Add(tensors, $"{part}.labels", labels, ref ignored);
        entry["future"] = data.FutureRange(0, data.Count) is Tensor denseFuture ? Add(tensors, $"{part}.future", denseFuture, ref ignored) : null;
        return entry;
    }

    /// <summary>Adds <paramref name="tensor"/> under <paramref name="name"/>, unless an equal tensor (shape and every
    /// value) is there already; returns the name that holds it.</summary>
    private static string Add(Dictionary<string, Tensor> tensors, string name, Tensor tensor, ref long rows)
    {
        foreach (var (existing, held) in tensors)
            if (held.dtype == tensor.dtype && held.shape.SequenceEqual(tensor.shape) && TensorScalars.ReadBoolean(held.eq(tensor.cpu()).all()))
                return existing;
        tensors[name] = tensor.cpu().contiguous();
        rows += tensor.shape[0];
        return name;
    }

    private static JsonObject Training(Seq2SeqOptions options, TrainingSession session, int batchSize, int stepsPerEpoch, double peakLearningRate) => new()
    {
        ["seed"] = session.Seed,
        ["batch_size"] = batchSize,
        ["steps_per_epoch"] = stepsPerEpoch,
        ["max_epochs"] = options.MaxEpochs,
        ["peak_learning_rate"] = peakLearningRate,
        ["schedule"] = options.Schedule.Kind.ToString(),
        ["one_cycle_pct_start"] = options.Schedule.OneCyclePctStart,
        ["one_cycle_div_factor"] = options.Schedule.OneCycleDivFactor,
        ["one_cycle_final_div_factor"] = options.Schedule.OneCycleFinalDivFactor,
        ["warmup_fraction"] = options.Schedule.WarmupFraction,
        ["plateau_patience"] = options.Schedule.PlateauPatience,
        ["plateau_factor"] = options.Schedule.PlateauFactor,
        ["weight_decay"] = options.WeightDecay,
        ["adam_betas"] = new JsonArray(AdamWOptimizer.Beta1, AdamWOptimizer.Beta2),
        ["adam_epsilon"] = AdamWOptimizer.Epsilon,
        ["gradient_clip_norm"] = options.GradientClipNorm,
        ["loss"] = options.Loss.ToString(),
        ["huber_delta"] = options.HuberDelta,
        ["early_stopping_metric"] = options.EarlyStopping.Metric.ToString(),
        ["early_stopping_patience"] = options.EarlyStopping.Patience,
        ["early_stopping_min_delta"] = options.EarlyStopping.MinDelta,
        ["teacher_forcing_ratio"] = options.TeacherForcingRatio,
        ["teacher_forcing_ratio_end"] = options.TeacherForcingRatioEnd,
        ["inference_batch_size"] = options.InferenceBatchSize,
        ["target_input_indices"] = session.Targets.InputIndices is int[] targets ? new JsonArray(targets.Select(i => (JsonNode)i).ToArray()) : null,
        ["channel_independent"] = session.Targets.ChannelIndependent,
    };

    private static JsonObject Series(TrainingSeries series)
    {
        var json = new JsonObject
        {
            ["input_columns"] = new JsonArray(series.InputColumnNames.Select(n => (JsonNode)n).ToArray()),
            ["target_columns"] = new JsonArray(series.TargetColumnNames.Select(n => (JsonNode)n).ToArray()),
            ["input_length"] = series.InputLength,
        };
        if (series.Statistics is SeriesStatistics statistics)
        {
            json["statistics"] = new JsonObject
            {
                ["columns"] = new JsonArray(statistics.ColumnNames.Select(n => (JsonNode)n).ToArray()),
                ["means"] = new JsonArray(statistics.Means.Select(v => (JsonNode)v).ToArray()),
                ["standard_deviations"] = new JsonArray(statistics.StandardDeviations.Select(v => (JsonNode)v).ToArray()),
                ["first_row"] = statistics.FirstRow,
                ["row_count"] = statistics.RowCount,
            };
        }
        return json;
    }

    /// <summary>The rate the schedule peaks at, as Fit computes it (Seq2SeqEstimator): LearningRate scaled by the rule,
    /// or the range test's suggestion when LearningRate is null.</summary>
    private static double PeakLearningRate(Seq2SeqOptions options, TrainingSession session)
    {
        int batchSize = Seq2SeqTrainer.EffectiveBatchSize(options, session.TrainRows.Count);
        if (options.LearningRate is not double learningRate)
            return LearningRateRangeTest.Run(session, new LearningRateRangeTestOptions(), observer: null).SuggestedLearningRate;
        return LearningRates.Scale(learningRate, options.LearningRateScaling, batchSize, options.ReferenceBatchSize);
    }
}
