using System;
using System.Collections.Generic;
using System.IO;
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
/// Written to a temporary file and renamed over the previous checkpoint, so a crash never leaves a torn file.
/// </summary>
internal sealed class TrainingCheckpoint
{
    public const string FileName = "seq2seq-checkpoint.bin";
    private const string Magic = "MLNETS2S-CKPT";
    // Format history: 1 initial.
    private const int FormatVersion = 1;

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

    /// <summary>What must be the same for a resumed run to continue the original one.</summary>
    internal sealed record RunIdentity(NetworkArchitecture Architecture, int Seed, int TrainRows, int ValidationRows, int BatchSize, int MaxEpochs)
    {
        public override string ToString() =>
            $"seed {Seed}, {TrainRows} training rows, {ValidationRows} validation rows, batch {BatchSize}, {MaxEpochs} max epochs, {Architecture}";
    }

    public static byte[] SaveModule(nn.Module module)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
            module.save(writer);
        return memory.ToArray();
    }

    public static void LoadModule(nn.Module module, byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state), Encoding.UTF8);
        module.load(reader, strict: true);
    }

    public static byte[] SaveOptimizer(OptimizerHelper optimizer)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        return memory.ToArray();
    }

    public static void LoadOptimizer(OptimizerHelper optimizer, byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state), Encoding.UTF8);
        optimizer.load_state_dict(reader);
    }

    /// <summary>Writes atomically into <paramref name="directory"/>: a temporary file, flushed, then renamed.</summary>
    public void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        string target = Path.Combine(directory, FileName);
        string temporary = target + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                    Write(writer);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    /// <summary>Reads a checkpoint file, or the checkpoint inside a checkpoint directory.</summary>
    public static TrainingCheckpoint ReadFrom(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
            throw new FileNotFoundException($"ResumeFrom: no checkpoint at '{file}'.", file);
        try
        {
            using var reader = new BinaryReader(File.OpenRead(file), Encoding.UTF8);
            return Read(reader);
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or IOException)
        {
            throw new InvalidDataException($"ResumeFrom: '{file}' is not a readable Seq2Seq checkpoint: {ex.Message}", ex);
        }
    }

    // *** Binary format ***
    // string magic, int version; identity (architecture, int seed, int train rows, int validation rows, int batch,
    // int max epochs); int completed epochs; long step; int micro-batch; double peak lr; plateau (double, double, int);
    // early stopping (double, int, int); history (TrainingHistoryFormat); byte blocks: network, best weights
    // (length -1 = none), optimizer.
    private void Write(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(FormatVersion);
        Identity.Architecture.Write(writer);
        writer.Write(Identity.Seed);
        writer.Write(Identity.TrainRows);
        writer.Write(Identity.ValidationRows);
        writer.Write(Identity.BatchSize);
        writer.Write(Identity.MaxEpochs);
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
        TrainingHistoryFormat.Write(writer, new TrainingHistory(History, 0, false));
        WriteBlock(writer, NetworkState);
        WriteBlock(writer, BestWeightsState);
        WriteBlock(writer, OptimizerState);
    }

    private static TrainingCheckpoint Read(BinaryReader reader)
    {
        if (reader.ReadString() != Magic)
            throw new InvalidDataException("the file does not start with the checkpoint signature");
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"checkpoint format {version} is not the format {FormatVersion} this version reads");
        var identity = new RunIdentity(NetworkArchitecture.Read(reader), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
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
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"a block length of {length} does not fit the file");
        return reader.ReadBytes(length);
    }
}
