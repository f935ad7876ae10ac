using System;
using System.IO;
using Microsoft.ML;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.PyTorch;

namespace MLNetSeq2Seq;

/// <summary>
/// Training data for PyTorch on <c>mlContext.Data</c>: what a Fit would train on, in one file that
/// python/mlnetseq2seq_ddp.py trains from — on one process, or with PyTorch's DistributedDataParallel under
/// <c>torchrun</c> on several processes and machines — before <c>mlContext.Model.ImportSeq2SeqFromPyTorch</c> brings
/// the trained network back. See docs/pytorch.md.
/// </summary>
public static class Seq2SeqPyTorchTrainingCatalog
{
    /// <summary>
    /// Reads <paramref name="trainingData"/> (and the validation data the options name) exactly as
    /// <c>mlContext.Regression.Trainers.Seq2Seq(options).Fit(trainingData)</c> would, and writes, instead of training:
    /// the series as Fit holds them (for the component's window views: each series once and one start row per window,
    /// never a copy per window; for other views: the windows), the training and validation windows, the input length
    /// and horizon, the target mapping, the series' columns and statistics, known-future features where present, the
    /// network's architecture and Fit's initial weights (from the seed), and the training settings of the loop — the
    /// effective batch, the peak learning rate after scaling, the schedule, AdamW's weight decay, clipping, the loss,
    /// teacher forcing, early stopping. The file is safetensors (float32 series and weights, int64 window starts;
    /// the rest as JSON in its metadata). Memory is that of Fit's data (the series are streamed to the file in chunks).
    /// </summary>
    /// <param name="catalog"><c>mlContext.Data</c>.</param>
    /// <param name="trainingData">The data Fit would be given.</param>
    /// <param name="options">The options Fit would be given (validated as Fit validates them). Not supported here:
    /// <see cref="Seq2SeqOptions.Quantiles"/>, <see cref="Seq2SeqOptions.Streaming"/>,
    /// <see cref="CheckpointOptions.ResumeFrom"/> and rows of different lengths.</param>
    /// <param name="path">The file to write (replaced if it exists); ".safetensors" is the usual extension.</param>
    /// <returns>What was written: window counts, seed, batch, steps per epoch, peak learning rate, size.</returns>
    /// <exception cref="NotSupportedException">An option or data shape the PyTorch trainer does not replay (the message names it).</exception>
    public static PyTorchTrainingData ExportSeq2SeqTrainingData(this DataOperationsCatalog catalog, IDataView trainingData, Seq2SeqOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(trainingData);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.Create(path);
        return PyTorchTrainingDataFile.Write(MLNetHost.EnvironmentOf(catalog), trainingData, options, stream);
    }
}
