using System;
using System.Collections.Generic;
using System.IO;

namespace MLNetSeq2Seq.Training;

/// <summary>The binary form of a <see cref="TrainingHistory"/> inside a saved model.</summary>
internal static class TrainingHistoryFormat
{
    private const int MaxEpochs = 1 << 24;

    /// <summary>int count; per epoch: int epoch, double train, bool hasValidation, double validation, double lr,
    /// double seconds, int steps, bool best; then int bestEpoch, bool stoppedEarly, double peak learning rate.</summary>
    public static void Write(BinaryWriter writer, TrainingHistory history)
    {
        writer.Write(history.Epochs.Count);
        foreach (EpochSummary epoch in history.Epochs)
        {
            writer.Write(epoch.Epoch);
            writer.Write(epoch.TrainLoss);
            writer.Write(epoch.ValidationLoss.HasValue);
            writer.Write(epoch.ValidationLoss ?? 0);
            writer.Write(epoch.LearningRate);
            writer.Write(epoch.Seconds);
            writer.Write(epoch.OptimizerSteps);
            writer.Write(epoch.IsBest);
        }
        writer.Write(history.BestEpoch);
        writer.Write(history.StoppedEarly);
        writer.Write(history.PeakLearningRate);
    }

    public static TrainingHistory Read(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > MaxEpochs)
            throw new InvalidDataException($"history length {count} is outside [0, {MaxEpochs}]");
        var epochs = new List<EpochSummary>(Math.Min(count, 1024)); // a damaged count must not allocate up front
        for (int i = 0; i < count; i++)
        {
            int epoch = reader.ReadInt32();
            double train = reader.ReadDouble();
            bool hasValidation = reader.ReadBoolean();
            double validation = reader.ReadDouble();
            epochs.Add(new EpochSummary(epoch, train, hasValidation ? validation : null, reader.ReadDouble(), reader.ReadDouble(), reader.ReadInt32(), reader.ReadBoolean()));
        }
        int bestEpoch = reader.ReadInt32();
        bool stoppedEarly = reader.ReadBoolean();
        double peakLearningRate = reader.ReadDouble();
        return new TrainingHistory(epochs, bestEpoch, stoppedEarly, peakLearningRate);
    }
}
