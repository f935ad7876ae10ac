using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.ModelFile;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.PyTorch;

/// <summary>
/// A <see cref="Seq2SeqTransformer"/>'s network as the interchange file of python/mlnetseq2seq_reference.py, and back.
/// The file is safetensors; its "__metadata__" holds what the network alone does not say (format history below):
/// the architecture record as JSON (<see cref="ArchitectureJson"/>), the ML.NET column names and the Score slot names.
/// The tensors are the network's state dict under TorchSharp's names, which the reference module's parameters share.
/// Import checks in this order, stopping at the first mismatch and naming it: the format, the architecture fields,
/// the caller's expected shapes, the architecture's size against the tensors present (before the network is built),
/// the tensor names (every one the architecture needs, none it does not), their shapes,
/// and that every value is finite.
/// </summary>
internal static class PyTorchInterchange
{
    // Format history (metadata "format_version"):
    //   1  initial: format, format_version, architecture, feature_column_name, score_column_name, optional
    //      score_slot_names (JSON array of Horizon × O strings); float32 tensors named as the network's state dict.
    public const string Format = "mlnetseq2seq";
    public const string FormatVersion = "1";

    public static void Export(Seq2SeqTransformer model, Stream stream)
    {
        if (model.Network.Architecture.FutureFeatureCount > 0)
            throw new NotSupportedException($"This model takes {model.Network.Architecture.FutureFeatureCount} known-future features per step (Seq2SeqOptions.FutureFeatureColumnName); "
                + "the PyTorch interchange format carries networks of one input (the feature window) only. Train without FutureFeatureColumnName to export it.");
        if (model.Network.Architecture.Quantiles.Length > 0)
            throw new NotSupportedException("This model forecasts quantiles (Seq2SeqOptions.Quantiles = "
                + string.Join(", ", model.Network.Architecture.Quantiles.Select(q => q.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
                + "); the PyTorch interchange format carries point-forecast networks only. Train without Quantiles to export it.");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            ["architecture"] = ArchitectureJson.Write(model.Network.Architecture),
            ["feature_column_name"] = model.FeatureColumnName,
            ["score_column_name"] = model.ScoreColumnName,
        };
        if (model.ScoreSlotNames is { Count: > 0 } slots)
            metadata["score_slot_names"] = JsonSerializer.Serialize(slots);
        Dictionary<string, SafeTensor> tensors = model.UsingNetwork(network =>
        {
            using var scope = torch.NewDisposeScope();
            var result = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
            foreach (var (name, tensor) in network.state_dict())
            {
                Tensor values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
                result.Add(name, new SafeTensor(values.shape, values.data<float>().ToArray()));
            }
            return result;
        });
        new SafeTensorsFile(metadata, tensors).Write(stream);
    }

    public static Seq2SeqTransformer Import(IHostEnvironment environment, Stream stream, string source, PyTorchImportOptions options)
    {
        TorchRuntime.EnsureLoaded();
        SafeTensorsFile file;
        NetworkArchitecture architecture;
        string featureColumn, scoreColumn;
        string[]? slotNames;
        try
        {
            file = SafeTensorsFile.Read(stream);
            architecture = ReadArchitecture(file.Metadata);
            CheckExpectations(architecture, options);
            CheckClaimedSize(architecture, file.Tensors);
            featureColumn = ColumnName(options.FeatureColumnName, file.Metadata, "feature_column_name", nameof(options.FeatureColumnName));
            scoreColumn = ColumnName(options.ScoreColumnName, file.Metadata, "score_column_name", nameof(options.ScoreColumnName));
            slotNames = SlotNames(file.Metadata, architecture);
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException($"{source} cannot be imported as a Seq2Seq model: {ex.Message}", ex);
        }

        SequenceNetwork network = NetworkFactory.Create(architecture);
        try
        {
            try
            {
                CopyWeights(network, file.Tensors);
            }
            catch (InvalidDataException ex)
            {
                throw new FormatException($"{source} does not match its architecture ({architecture}): {ex.Message}", ex);
            }
            Device device = TorchDevices.Resolve(ComputeDevice.Auto, new MLNetHost(environment, "Seq2SeqPyTorchImport"));
            network.to(device);
            var history = new TrainingHistory(Array.Empty<EpochSummary>(), bestEpoch: 0, stoppedEarly: false, peakLearningRate: 0);
            return new Seq2SeqTransformer(network, new Seq2SeqModelState(featureColumn, scoreColumn, options.InferenceBatchSize, history, slotNames), device, host: null);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static NetworkArchitecture ReadArchitecture(IReadOnlyDictionary<string, string> metadata)
    {
        string format = metadata.GetValueOrDefault("format") ?? "(none)";
        if (format != Format)
            throw new InvalidDataException($"it is not an MLNetSeq2Seq interchange file: its safetensors metadata 'format' is '{format}', not '{Format}' "
                + "(write it with save() of python/mlnetseq2seq_reference.py)");
        string version = metadata.GetValueOrDefault("format_version") ?? "(none)";
        if (version != FormatVersion)
            throw new InvalidDataException($"its metadata 'format_version' is '{version}'; this MLNetSeq2Seq reads version {FormatVersion}");
        string json = metadata.GetValueOrDefault("architecture") ?? throw new InvalidDataException("its metadata has no 'architecture'");
        return ArchitectureJson.Read(json);
    }

    private static void CheckExpectations(NetworkArchitecture architecture, PyTorchImportOptions options)
    {
        void Check(int? expected, int actual, string option, string field)
        {
            if (expected is int value && value != actual)
                throw new InvalidDataException($"architecture field '{field}' is {actual}, but {nameof(PyTorchImportOptions)}.{option} expects {value}");
        }
        Check(options.InputFeatureCount, architecture.InputFeatureCount, nameof(options.InputFeatureCount), "input_feature_count");
        Check(options.OutputFeatureCount, architecture.OutputFeatureCount, nameof(options.OutputFeatureCount), "output_feature_count");
        Check(options.Horizon, architecture.Horizon, nameof(options.Horizon), "horizon");
    }

    // Before the network is built, as the model file does: an architecture far larger than the tensors in the file is
    // refused without allocating it (a close mismatch is left to CopyWeights, which names the tensor), and so is a layer
    // count beyond the tensors present (every recurrent layer has at least two), which would build a deep network only
    // to refuse it. What the build can cost is thereby bounded by the bytes and tensors really in the file.
    private static void CheckClaimedSize(NetworkArchitecture architecture, IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        long bytes = tensors.Values.Sum(t => 4L * t.Values.Length);
        double needed = architecture.MinimumWeightBytes();
        if (needed > 4.0 * bytes + (1 << 20))
            throw new InvalidDataException($"its architecture ({architecture}) needs at least {needed:F0} bytes of weights, but the file's tensors hold only {bytes}");
        if (2L * architecture.LayerCount > tensors.Count)
            throw new InvalidDataException($"its architecture has {architecture.LayerCount} layers, but the file holds only {tensors.Count} tensors (at least 2 per layer)");
    }

    private static string ColumnName(string? option, IReadOnlyDictionary<string, string> metadata, string key, string optionName)
    {
        string? name = option ?? metadata.GetValueOrDefault(key);
        return string.IsNullOrEmpty(name)
            ? throw new InvalidDataException($"its metadata has no '{key}'; set {nameof(PyTorchImportOptions)}.{optionName}")
            : name;
    }

    private static string[]? SlotNames(IReadOnlyDictionary<string, string> metadata, NetworkArchitecture architecture)
    {
        if (!metadata.TryGetValue("score_slot_names", out string? json))
            return null;
        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"its metadata 'score_slot_names' is not a JSON array of strings: {ex.Message}", ex);
        }
        long expected = (long)architecture.Horizon * architecture.OutputFeatureCount;
        if (names is null || names.Length != expected || names.Any(n => n is null))
            throw new InvalidDataException($"its metadata 'score_slot_names' holds {names?.Length ?? 0} names, but horizon × output_feature_count = {expected}");
        return names;
    }

    private static void CopyWeights(SequenceNetwork network, IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        using var scope = torch.NewDisposeScope();
        Dictionary<string, Tensor> expected = network.state_dict();
        foreach (string name in expected.Keys)
            if (!tensors.ContainsKey(name))
            {
                string[] extra = tensors.Keys.Where(k => !expected.ContainsKey(k)).Take(3).ToArray();
                throw new InvalidDataException($"the file has no tensor '{name}', which the network needs"
                    + (extra.Length > 0 ? $" (it holds {string.Join(", ", extra.Select(k => $"'{k}'"))}, which the network does not have)" : ""));
            }
        foreach (string name in tensors.Keys)
            if (!expected.ContainsKey(name))
                throw new InvalidDataException($"the file holds tensor '{name}', which the network does not have");
        foreach (var (name, tensor) in expected)
        {
            SafeTensor source = tensors[name];
            if (!source.Shape.SequenceEqual(tensor.shape))
                throw new InvalidDataException($"tensor '{name}' is [{string.Join(", ", source.Shape)}] in the file, but the network needs [{string.Join(", ", tensor.shape)}]");
            int bad = Array.FindIndex(source.Values, v => !float.IsFinite(v));
            if (bad >= 0)
                throw new InvalidDataException($"tensor '{name}' holds {source.Values[bad]} at flat index {bad}; every weight must be finite");
        }
        using var _ = torch.no_grad();
        foreach (var (name, tensor) in expected)
            tensor.copy_(torch.tensor(tensors[name].Values, tensors[name].Shape));
    }
}
