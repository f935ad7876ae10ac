using System;
using static MLNetSeq2Seq.OptionRules;

namespace MLNetSeq2Seq;

/// <summary>
/// Checkpoints of a training run and resuming from one (<see cref="Seq2SeqOptions.Checkpoints"/>; null there, the
/// default: no checkpoints are written and no run is resumed).
/// </summary>
public sealed class CheckpointOptions
{
    /// <summary>Folder for checkpoints (model, optimizer, schedule, early stopping, history), written atomically; with
    /// <see cref="Seq2SeqOptions.Search"/>, one subfolder per candidate ("candidate-1-SegmentRecurrent", …).
    /// Null: no checkpoints are written (<see cref="ResumeFrom"/> still resumes). Default null.</summary>
    public string? Directory { get; set; }

    /// <summary>With <see cref="Directory"/>: write a checkpoint every this many epochs (and after the last), at least
    /// 1. Unit: epochs. Default 1.</summary>
    public int EveryEpochs { get; set; } = 1;

    /// <summary>A checkpoint file, or a checkpoint <see cref="Directory"/>, to continue a run from: the same data and
    /// options give the same final weights as the uninterrupted run (on the CPU). A run that had ended (early stopping)
    /// trains no further. With <see cref="Seq2SeqOptions.Search"/>, the search's <see cref="Directory"/>: candidates that
    /// had ended are not trained again, the interrupted one continues, the rest start, and the time the interrupted search
    /// had spent counts against its budget. Null: start a new run. Default null.</summary>
    public string? ResumeFrom { get; set; }

    /// <summary>Checks every setting and throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of
    /// range by its path, "Checkpoints.EveryEpochs". <see cref="Seq2SeqOptions.Validate"/> calls it.</summary>
    public void Validate() => RequirePositive(EveryEpochs, Path(nameof(EveryEpochs)));

    /// <summary>A copy, so Fit's copy of the options shares nothing with the caller's.</summary>
    internal CheckpointOptions Clone() => (CheckpointOptions)MemberwiseClone();

    /// <summary>"Checkpoints.ResumeFrom": how messages and parameter names name <see cref="ResumeFrom"/>.</summary>
    internal const string ResumeFromPath = nameof(Seq2SeqOptions.Checkpoints) + "." + nameof(ResumeFrom);

    /// <summary>"Checkpoints.{setting}": how messages name a setting of this group.</summary>
    internal static string Path(string setting) => nameof(Seq2SeqOptions.Checkpoints) + "." + setting;
}
