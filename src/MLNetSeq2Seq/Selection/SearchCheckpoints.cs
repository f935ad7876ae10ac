using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MLNetSeq2Seq.Training;

namespace MLNetSeq2Seq.Selection;

/// <summary>
/// Checkpoints of a model search (<see cref="Seq2SeqOptions.Search"/> with <see cref="Seq2SeqOptions.Checkpoints"/>): one
/// subfolder of <see cref="CheckpointOptions.Directory"/> per candidate, "candidate-N-Name", each holding that candidate's
/// checkpoint as a single run writes it. Resuming from the folder continues every candidate from its own checkpoint: one
/// that had ended trains no further, the one that was interrupted continues, the rest start. Every subfolder is read
/// and matched to the planned candidates before anything trains, so a folder of another search is refused by name.
/// </summary>
internal sealed class SearchCheckpoints
{
    /// <summary>How every candidate's folder name begins.</summary>
    public const string FolderPrefix = "candidate-";

    private static readonly string ResumeFrom = CheckpointOptions.Path(nameof(CheckpointOptions.ResumeFrom));
    private readonly CheckpointOptions? _options;
    private readonly IReadOnlyList<string> _folders;
    private readonly TrainingCheckpoint?[] _resumes;

    private SearchCheckpoints(CheckpointOptions? options, IReadOnlyList<string> folders, TrainingCheckpoint?[] resumes)
    {
        _options = options;
        _folders = folders;
        _resumes = resumes;
    }

    /// <summary>The search's checkpoints for its planned candidates (in training order); with ResumeFrom, every candidate
    /// checkpoint it holds is read and checked against the plan here.</summary>
    public static SearchCheckpoints Of(CheckpointOptions? options, IReadOnlyList<string> candidateNames)
    {
        string[] folders = candidateNames.Select((name, i) => FolderName(i, name)).ToArray();
        var resumes = new TrainingCheckpoint?[folders.Length];
        if (options?.ResumeFrom is string resumeFrom)
            ReadAll(resumeFrom, folders, resumes);
        return new SearchCheckpoints(options, folders, resumes);
    }

    /// <summary>"candidate-2-PatchTransformer-last-168": the candidate's place in the plan (1-based) and its name, in letters,
    /// digits and dashes.</summary>
    public static string FolderName(int index, string candidateName)
    {
        var name = new StringBuilder();
        foreach (char c in candidateName.Replace(" steps", "", StringComparison.Ordinal))
        {
            if (char.IsAsciiLetterOrDigit(c))
                name.Append(c);
            else if (name.Length > 0 && name[^1] != '-')
                name.Append('-');
        }
        return $"{FolderPrefix}{index + 1}-{name.ToString().TrimEnd('-')}";
    }

    /// <summary>The options candidate <paramref name="index"/> trains with: checkpoints into its own subfolder of the
    /// search's Directory (none without one), never resumed by path (the search hands the trainer its checkpoint).</summary>
    public Seq2SeqOptions OptionsOf(int index, Seq2SeqOptions candidateOptions)
    {
        Seq2SeqOptions options = candidateOptions.Clone();
        options.Checkpoints = _options?.Directory is string directory
            ? new CheckpointOptions { Directory = Path.Combine(directory, _folders[index]), EveryEpochs = _options.EveryEpochs }
            : null;
        return options;
    }

    /// <summary>The checkpoint candidate <paramref name="index"/> continues from, or null when it starts afresh; handed
    /// out once (the search holds no candidate's state longer than it needs).</summary>
    public TrainingCheckpoint? ResumeOf(int index)
    {
        TrainingCheckpoint? resume = _resumes[index];
        _resumes[index] = null;
        return resume;
    }

    /// <summary>The time the interrupted search had spent: every read checkpoint's recorded epochs.</summary>
    public TimeSpan TimeSpentBefore() => _resumes.Aggregate(TimeSpan.Zero, (sum, resume) => sum + TimeOf(resume));

    /// <summary>The seconds a checkpoint's recorded epochs took (zero for none).</summary>
    public static TimeSpan TimeOf(TrainingCheckpoint? resume) =>
        TimeSpan.FromSeconds(resume?.History.Sum(e => e.Seconds) ?? 0);

    private static void ReadAll(string resumeFrom, string[] folders, TrainingCheckpoint?[] resumes)
    {
        if (File.Exists(resumeFrom))
            throw new ArgumentException($"{ResumeFrom}: '{resumeFrom}' is a checkpoint file, but a model search resumes from the folder its Checkpoints.Directory named "
                + "(one subfolder per candidate).", ResumeFrom);
        if (!Directory.Exists(resumeFrom))
            throw new DirectoryNotFoundException($"{ResumeFrom}: no folder at '{resumeFrom}'.");
        if (File.Exists(Path.Combine(resumeFrom, TrainingCheckpoint.FileName)))
            throw new ArgumentException($"{ResumeFrom}: '{resumeFrom}' holds the checkpoint of one training run, not of a model search: resume it without {nameof(Seq2SeqOptions.Search)}, "
                + "or start the search without ResumeFrom.", ResumeFrom);
        string[] found = Directory.GetDirectories(resumeFrom, FolderPrefix + "*").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (found.Length == 0)
            throw new ArgumentException($"{ResumeFrom}: '{resumeFrom}' holds no candidate checkpoints of a model search (no '{FolderPrefix}…' subfolders): "
                + "start the search without ResumeFrom.", ResumeFrom);
        if (found.FirstOrDefault(f => !folders.Contains(f)) is string unknown)
            throw new ArgumentException($"{ResumeFrom}: '{resumeFrom}' holds '{unknown}', a candidate this search does not plan (it plans {string.Join(", ", folders)}): "
                + $"resume with the {nameof(Seq2SeqOptions.Search)} options and data of the run that wrote it.", ResumeFrom);
        for (int i = 0; i < folders.Length; i++)
        {
            string folder = Path.Combine(resumeFrom, folders[i]);
            // A folder without a checkpoint: its candidate was interrupted before its first checkpoint; it starts again.
            if (File.Exists(Path.Combine(folder, TrainingCheckpoint.FileName)))
                resumes[i] = TrainingCheckpoint.ReadFrom(folder);
        }
    }
}
