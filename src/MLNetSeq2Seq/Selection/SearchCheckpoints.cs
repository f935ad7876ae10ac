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
/// that had ended trains no further, the one that was interrupted continues, the rest start. The subfolders are matched
/// to the planned candidates before anything trains, so a folder of another plan is refused by name; each checkpoint is
/// read when its candidate's turn comes, and the trainer checks it against that candidate's options and data then.
/// </summary>
internal sealed class SearchCheckpoints
{
    /// <summary>How every candidate's folder name begins.</summary>
    public const string FolderPrefix = "candidate-";

    private static readonly string ResumeFrom = CheckpointOptions.Path(nameof(CheckpointOptions.ResumeFrom));
    private readonly CheckpointOptions? _options;
    private readonly IReadOnlyList<string> _folders;
    private readonly string?[] _resumeFiles;

    private SearchCheckpoints(CheckpointOptions? options, IReadOnlyList<string> folders, string?[] resumeFiles)
    {
        _options = options;
        _folders = folders;
        _resumeFiles = resumeFiles;
    }

    /// <summary>The search's checkpoints for its planned candidates (in training order); with ResumeFrom, the folder's
    /// candidate subfolders are checked against the plan here.</summary>
    public static SearchCheckpoints Of(CheckpointOptions? options, IReadOnlyList<string> candidateNames)
    {
        string[] folders = candidateNames.Select((name, i) => FolderName(i, name)).ToArray();
        var resumeFiles = new string?[folders.Length];
        if (options?.ResumeFrom is string resumeFrom)
            FindAll(resumeFrom, folders, resumeFiles);
        return new SearchCheckpoints(options, folders, resumeFiles);
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

    /// <summary>Whether candidate <paramref name="index"/> has a checkpoint to continue from (it had started).</summary>
    public bool HasCheckpoint(int index) => _resumeFiles[index] is not null;

    /// <summary>The checkpoint candidate <paramref name="index"/> continues from, read now, or null when it starts afresh.</summary>
    public TrainingCheckpoint? ResumeOf(int index) => _resumeFiles[index] is string file ? TrainingCheckpoint.ReadFrom(file) : null;

    private static void FindAll(string resumeFrom, string[] folders, string?[] resumeFiles)
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
            string file = Path.Combine(resumeFrom, folders[i], TrainingCheckpoint.FileName);
            // A folder without a checkpoint: its candidate was interrupted before its first checkpoint; it starts again.
            if (File.Exists(file))
                resumeFiles[i] = file;
        }
    }
}
