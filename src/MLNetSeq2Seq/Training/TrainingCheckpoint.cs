using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Everything needed to continue a run exactly: where it is (epochs done, optimizer steps, micro-batch size, peak
/// learning rate), the schedule's and early stopping's memory, the history, and the network, best-weights and
/// optimizer states. Random streams are derived from (seed, epoch), so the seed is the whole RNG state.
/// Written to a temporary file, flushed to disk and renamed over the previous checkpoint, so a crash never leaves a
/// torn checkpoint; a SHA-256 at the end of the file catches any later damage before anything is parsed.
/// </summary>
internal sealed class TrainingCheckpoint
{
    public const string FileName = "seq2seq-checkpoint.bin";
    private const string Magic = "MLNETS2S-CKPT";
    // Format history: 1 initial; 2 adds a SHA-256 of everything before it at the end of the file.
    private const int FormatVersion = 10; // 3: ResidualDecoding in the architecture, the peak rate in the history;
                                         // 4: the forecasting fields of the architecture;
                                         // 5: the run identity holds the training options and a data fingerprint (3 and 4 are still read)
                                         // 6: the architecture holds the quantile levels (3 to 5 are still read)
                                         // (6 also since the library's own AdamW: the optimizer block is self-describing,
                                         // AdamWStateFormat, and TorchSharp's AdamW blocks of earlier checkpoints are still read)
                                         // 7: the architecture holds the known-future feature count (3 to 6 are still read)
                                         // 8: the architecture holds the lookback (3 to 7 are still read)
                                         // 9: the architecture holds the family's own fields (3 to 8 are still read)
                                         // 10: why the run stopped early, when it did (3 to 9 are still read)
    private const int OldestReadableVersion = 3;
    private const string TemporarySuffix = ".tmp-";


    public required RunIdentity Identity { get; init; }
    public required int CompletedEpochs { get; init; }
    public required long Step { get; init; }
    public required int MicroBatchSize { get; init; }
    public required double PeakLearningRate { get; init; }
    public required (double Rate, double Best, int EpochsWithoutImprovement) Plateau { get; init; }
    public required (double BestLoss, int BestEpoch, int EpochsWithoutImprovement) EarlyStopping { get; init; }
    public required IReadOnlyList<EpochSummary> History { get; init; }
    public required byte[] NetworkState { get; init; }
    public required byte[]? BestWeightsState { get; init; }
    public required byte[] OptimizerState { get; init; }
    /// <summary>Why the run stopped before MaxEpochs (early stopping, or the model search abandoning it) when this is its
    /// last checkpoint; null while it goes on. A run resumed from an ended checkpoint trains no further epoch.</summary>
    public string? StoppedEarlyBecause { get; init; }

    /// <summary>The time the recorded epochs took (their <see cref="EpochSummary.Seconds"/>): what the run had spent
    /// training before this checkpoint.</summary>
    public TimeSpan RecordedTime => TimeSpan.FromSeconds(History.Sum(e => e.Seconds));

    public static byte[] SaveModule(nn.Module module) => NetworkWeights.Save(module);

    public static void LoadModule(nn.Module module, byte[] state) => NetworkWeights.Load(module, state);

    /// <summary>The optimizer block: <see cref="AdamWStateFormat"/> (signature and version inside the block).</summary>
    public static byte[] SaveOptimizer(AdamWOptimizer optimizer) => AdamWStateFormat.Save(optimizer);

    /// <summary>Reads an optimizer block of any checkpoint format, including TorchSharp's AdamW state of checkpoints
    /// written before the library's own optimizer.</summary>
    public static void LoadOptimizer(AdamWOptimizer optimizer, byte[] state) => AdamWStateFormat.Load(optimizer, state);

    /// <summary>
    /// Writes atomically into <paramref name="directory"/>: a temporary file, flushed to disk, then renamed over the
    /// previous checkpoint. Temporary files left by processes that died while writing are removed afterwards.
    /// <paramref name="observer"/> (tests only) sees the flushed temporary file before the rename.
    /// </summary>
    public void WriteTo(string directory, ITrainingObserver? observer = null)
    {
        Directory.CreateDirectory(directory);
        string target = Path.Combine(directory, FileName);
        string temporary = target + TemporarySuffix + Environment.ProcessId;
        byte[] content = Serialize();
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
                observer?.OnCheckpointFlushed(stream, temporary);
            }
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
        RemoveAbandonedTemporaries(directory);
    }

    /// <summary>Reads a checkpoint file, or the checkpoint inside a checkpoint directory.</summary>
    public static TrainingCheckpoint ReadFrom(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file) && Directory.Exists(path) && Directory.EnumerateDirectories(path, Selection.SearchCheckpoints.FolderPrefix + "*").Any())
            throw new ArgumentException($"{CheckpointOptions.ResumeFromPath}: '{path}' holds the checkpoints of a model search (one subfolder per candidate): resume it with the "
                + "Search options of the run that wrote it.", CheckpointOptions.ResumeFromPath);
        if (!File.Exists(file))
            throw new FileNotFoundException($"{CheckpointOptions.ResumeFromPath}: no checkpoint at '{file}'.", file);
        try
        {
            byte[] content = File.ReadAllBytes(file);
            using var reader = new BinaryReader(new MemoryStream(content, writable: false), Encoding.UTF8);
            TrainingCheckpoint checkpoint = Read(reader, content);
            if (reader.BaseStream.Position != content.Length - SHA256.HashSizeInBytes)
                throw new InvalidDataException("the file goes on after the checkpoint");
            return checkpoint;
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{CheckpointOptions.ResumeFromPath}: '{file}' is not a readable Seq2Seq checkpoint: {ex.Message}", ex);
        }
    }

    private byte[] Serialize()
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
            Write(writer);
        memory.Write(SHA256.HashData(memory.GetBuffer().AsSpan(0, (int)memory.Length)));
        return memory.ToArray();
    }

    /// <summary>Deletes "checkpoint.tmp-PID" files whose process is gone (killed while writing).</summary>
    private static void RemoveAbandonedTemporaries(string directory)
    {
        foreach (string file in Directory.EnumerateFiles(directory, FileName + TemporarySuffix + "*"))
        {
            if (!int.TryParse(file.AsSpan(file.LastIndexOf(TemporarySuffix, StringComparison.Ordinal) + TemporarySuffix.Length), out int processId)
                || processId == Environment.ProcessId || IsRunning(processId))
                continue;
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Another process may be cleaning up too; a leftover is harmless.
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // *** Binary format ***
    // string magic, int version; identity (RunIdentity.Write); int completed epochs; long step; int micro-batch; double peak lr; plateau (double, double, int);
    // early stopping (double, int, int); history (TrainingHistoryFormat); byte blocks: network, best weights
    // (length -1 = none), optimizer (AdamWStateFormat; TorchSharp's AdamW state before it); bool stopped early, then its
    // reason (string) when true (format 10 on); then the SHA-256 of all the bytes before it.
    private void Write(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(FormatVersion);
        Identity.Write(writer);
        writer.Write(CompletedEpochs);
        writer.Write(Step);
        writer.Write(MicroBatchSize);
        writer.Write(PeakLearningRate);
        writer.Write(Plateau.Rate);
        writer.Write(Plateau.Best);
        writer.Write(Plateau.EpochsWithoutImprovement);
        writer.Write(EarlyStopping.BestLoss);
        writer.Write(EarlyStopping.BestEpoch);
        writer.Write(EarlyStopping.EpochsWithoutImprovement);
        TrainingHistoryFormat.Write(writer, new TrainingHistory(History, 0, false, PeakLearningRate));
        WriteBlock(writer, NetworkState);
        WriteBlock(writer, BestWeightsState);
        WriteBlock(writer, OptimizerState);
        writer.Write(StoppedEarlyBecause is not null);
        if (StoppedEarlyBecause is not null)
            writer.Write(StoppedEarlyBecause);
    }

    private static TrainingCheckpoint Read(BinaryReader reader, byte[] content)
    {
        if (reader.ReadString() != Magic)
            throw new InvalidDataException("the file does not start with the checkpoint signature");
        int version = reader.ReadInt32();
        if (version < OldestReadableVersion || version > FormatVersion)
            throw new InvalidDataException($"checkpoint format {version} is not one of the formats {OldestReadableVersion} to {FormatVersion} this version reads; start the run again, or resume it with the version that wrote it");
        if (content.Length < SHA256.HashSizeInBytes
            || !SHA256.HashData(content.AsSpan(0, content.Length - SHA256.HashSizeInBytes)).AsSpan().SequenceEqual(content.AsSpan(content.Length - SHA256.HashSizeInBytes)))
            throw new InvalidDataException("the file fails its SHA-256 check: it was cut short or damaged after it was written");
        var identity = RunIdentity.Read(reader, version);
        return new TrainingCheckpoint
        {
            Identity = identity,
            CompletedEpochs = reader.ReadInt32(),
            Step = reader.ReadInt64(),
            MicroBatchSize = reader.ReadInt32(),
            PeakLearningRate = reader.ReadDouble(),
            Plateau = (reader.ReadDouble(), reader.ReadDouble(), reader.ReadInt32()),
            EarlyStopping = (reader.ReadDouble(), reader.ReadInt32(), reader.ReadInt32()),
            History = TrainingHistoryFormat.Read(reader).Epochs,
            NetworkState = ReadBlock(reader) ?? throw new InvalidDataException("the network state is missing"),
            BestWeightsState = ReadBlock(reader),
            OptimizerState = ReadBlock(reader) ?? throw new InvalidDataException("the optimizer state is missing"),
            StoppedEarlyBecause = version >= 10 && reader.ReadBoolean() ? reader.ReadString() : null,
        };
    }

    private static void WriteBlock(BinaryWriter writer, byte[]? block)
    {
        writer.Write(block?.Length ?? -1);
        if (block is not null)
            writer.Write(block);
    }

    private static byte[]? ReadBlock(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        if (length == -1)
            return null;
        if (length < 0 || length > reader.BaseStream.Length - SHA256.HashSizeInBytes - reader.BaseStream.Position)
            throw new InvalidDataException($"a block length of {length} does not fit the file");
        return reader.ReadBytes(length);
    }
}
