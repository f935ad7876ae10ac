using System;
using System.IO;
using Microsoft.ML;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.PyTorch;

namespace MLNetSeq2Seq;

/// <summary>
/// PyTorch interchange on <c>mlContext.Model</c>, beside ML.NET's own <c>Save</c>, <c>Load</c> and <c>ConvertToOnnx</c>:
/// a trained <see cref="Seq2SeqTransformer"/>'s network goes to a file that the reference PyTorch module
/// (python/mlnetseq2seq_reference.py in the repository, torch only) loads, and a network trained in PyTorch with that
/// module comes back as a <see cref="Seq2SeqTransformer"/> that scores, saves and loads like one trained here.
/// The file is safetensors: float32 tensors named as the network's state dict, and in its metadata the architecture
/// (JSON) and the column names. Only the network travels: transforms before it in an ML.NET pipeline (a normaliser,
/// windows) stay in ML.NET; append the imported transformer to them. See docs/pytorch.md.
/// </summary>
public static class Seq2SeqPyTorchCatalog
{
    /// <summary>Writes <paramref name="model"/>'s network (weights, architecture, column and Score slot names) as a
    /// safetensors file that <c>mlnetseq2seq_reference.load(path)</c> turns into the same network in PyTorch.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">A trained or loaded model; it can keep scoring meanwhile.</param>
    /// <param name="path">The file to write (replaced if it exists); ".safetensors" is the usual extension.</param>
    public static void ExportSeq2SeqToPyTorch(this ModelOperationsCatalog catalog, Seq2SeqTransformer model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckArguments(catalog, model);
        using var stream = File.Create(path);
        PyTorchInterchange.Export(model, stream);
    }

    /// <summary>Writes <paramref name="model"/>'s network as safetensors to <paramref name="stream"/> (left open).</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">A trained or loaded model.</param>
    /// <param name="stream">A writable stream; writing starts at its position.</param>
    public static void ExportSeq2SeqToPyTorch(this ModelOperationsCatalog catalog, Seq2SeqTransformer model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckArguments(catalog, model);
        PyTorchInterchange.Export(model, stream);
    }

    /// <summary>
    /// Builds a <see cref="Seq2SeqTransformer"/> from a file written by <c>mlnetseq2seq_reference.save(...)</c> (or by
    /// <see cref="ExportSeq2SeqToPyTorch(ModelOperationsCatalog, Seq2SeqTransformer, string)"/>). The file must say
    /// everything: the architecture in its metadata, a float32 tensor for every parameter that architecture has and
    /// no other, of the right shape, every value finite; the first mismatch is a <see cref="FormatException"/> naming
    /// it (the tensor, the architecture field or the option). The result has an empty
    /// <see cref="Seq2SeqTransformer.TrainingHistory"/> (no epochs, BestEpoch 0) and runs on the MLContext's device.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="options">Column names and the shapes the caller expects; null for the file's own.</param>
    /// <exception cref="FormatException">The file is not an MLNetSeq2Seq interchange file, or does not match its architecture or <paramref name="options"/>.</exception>
    public static Seq2SeqTransformer ImportSeq2SeqFromPyTorch(this ModelOperationsCatalog catalog, string path, PyTorchImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(catalog);
        options = CheckedOptions(options);
        using var stream = File.OpenRead(path);
        return PyTorchInterchange.Import(MLNetHost.EnvironmentOf(catalog), stream, $"'{path}'", options);
    }

    /// <summary>Builds a <see cref="Seq2SeqTransformer"/> from safetensors read from <paramref name="stream"/> (left open);
    /// see <see cref="ImportSeq2SeqFromPyTorch(ModelOperationsCatalog, string, PyTorchImportOptions?)"/>.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="stream">A readable stream positioned at the file's start.</param>
    /// <param name="options">Column names and the shapes the caller expects; null for the file's own.</param>
    public static Seq2SeqTransformer ImportSeq2SeqFromPyTorch(this ModelOperationsCatalog catalog, Stream stream, PyTorchImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(catalog);
        options = CheckedOptions(options);
        return PyTorchInterchange.Import(MLNetHost.EnvironmentOf(catalog), stream, "The stream", options);
    }

    private static void CheckArguments(ModelOperationsCatalog catalog, Seq2SeqTransformer model)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
    }

    private static PyTorchImportOptions CheckedOptions(PyTorchImportOptions? options)
    {
        options ??= new PyTorchImportOptions();
        if (options.InferenceBatchSize is < 1 or > Seq2SeqOptions.MaxInferenceBatchSize)
            throw new ArgumentOutOfRangeException(nameof(options), options.InferenceBatchSize,
                $"{nameof(PyTorchImportOptions)}.{nameof(PyTorchImportOptions.InferenceBatchSize)} must be between 1 and {Seq2SeqOptions.MaxInferenceBatchSize} rows per forward pass (it is {options.InferenceBatchSize}).");
        foreach (var (value, name) in new[] { (options.InputFeatureCount, nameof(options.InputFeatureCount)), (options.OutputFeatureCount, nameof(options.OutputFeatureCount)), (options.Horizon, nameof(options.Horizon)) })
            if (value is < 1)
                throw new ArgumentOutOfRangeException(nameof(options), value, $"{nameof(PyTorchImportOptions)}.{name} must be positive or null (it is {value}).");
        if (options.FeatureColumnName is "" || options.ScoreColumnName is "")
            throw new ArgumentException($"{nameof(PyTorchImportOptions)}: a column name must not be empty (null takes the file's).", nameof(options));
        return options;
    }
}
