using System;
using System.Collections.Generic;
using System.Globalization;
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
/// A candidate's folder is made when it starts (so a resumed search knows it had started, checkpoint or not), and a
/// candidate that diverged leaves a record there, "seq2seq-diverged.txt", so that it is dropped again, not retrained.
/// </summary>
internal sealed class SearchCheckpoints
{
    /// <summary>How every candidate's folder name begins.</summary>
    public const string FolderPrefix = "candidate-";

    /// <summary>The file a diverged candidate leaves in its folder: its epoch, step and learning rate, then the message.</summary>
    public const string DivergedFileName = "seq2seq-diverged.txt";

    private const string ResumeFrom = CheckpointOptions.ResumeFromPath;
    private readonly CheckpointOptions? _options;
    private readonly IReadOnlyList<string> _folders;
    private readonly bool[] _started;
    private readonly string?[] _resumeFiles;
    private readonly TrainingDivergedException?[] _diverged;

    private SearchCheckpoints(CheckpointOptions? options, IReadOnlyList<string> folders)
    {
        _options = options;
        _folders = folders;
        _started = new bool[folders.Count];
        _resumeFiles = new string?[folders.Count];
        _diverged = new TrainingDivergedException?[folders.Count];
    }

    /// <summary>The search's checkpoints for its planned candidates (in training order); with ResumeFrom, the folder's
    /// candidate subfolders are checked against the plan here.</summary>
    public static SearchCheckpoints Of(CheckpointOptions? options, IReadOnlyList<string> candidateNames)
    {
        var checkpoints = new SearchCheckpoints(options, candidateNames.Select((name, i) => FolderName(i, name)).ToArray());
        if (options?.ResumeFrom is string resumeFrom)
            checkpoints.FindAll(resumeFrom);
        return checkpoints;
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

    /// <summary>Whether candidate <paramref name="index"/> had started in the interrupted search (its folder is there).</summary>
    public bool HadStarted(int index) => _started[index];

    /// <summary>The divergence that dropped candidate <paramref name="index"/> in the interrupted search, or null.</summary>
    public TrainingDivergedException? DivergedBefore(int index) => _diverged[index];

    /// <summary>Makes the candidate's folder as it starts (nothing without a checkpoint Directory).</summary>
    public void MarkStarted(int index)
    {
        if (FolderOf(index) is string folder)
            Directory.CreateDirectory(folder);
    }

    /// <summary>Records in the candidate's folder that it diverged (written to a temporary file, then renamed).</summary>
    public void MarkDiverged(int index, TrainingDivergedException diverged)
    {
        if (FolderOf(index) is not string folder)
            return;
        Directory.CreateDirectory(folder);
        string target = Path.Combine(folder, DivergedFileName), temporary = target + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, string.Join('\n', diverged.Epoch.ToString(CultureInfo.InvariantCulture), diverged.Step.ToString(CultureInfo.InvariantCulture),
            diverged.LearningRate.ToString("R", CultureInfo.InvariantCulture), diverged.Message));
        File.Move(temporary, target, overwrite: true);
    }

    private string? FolderOf(int index) => _options?.Directory is string directory ? Path.Combine(directory, _folders[index]) : null;

    /// <summary>The checkpoint candidate <paramref name="index"/> continues from, read now, or null when it starts afresh.</summary>
    public TrainingCheckpoint? ResumeOf(int index) => _resumeFiles[index] is string file ? TrainingCheckpoint.ReadFrom(file) : null;

    private void FindAll(string resumeFrom)
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
        if (found.FirstOrDefault(f => !_folders.Contains(f)) is string unknown)
            throw new ArgumentException($"{ResumeFrom}: '{resumeFrom}' holds '{unknown}', a candidate this search does not plan (it plans {string.Join(", ", _folders)}): "
                + $"resume with the {nameof(Seq2SeqOptions.Search)} options and data of the run that wrote it.", ResumeFrom);
        for (int i = 0; i < _folders.Count; i++)
        {
            string folder = Path.Combine(resumeFrom, _folders[i]);
            _started[i] = Directory.Exists(folder);
            // A folder without a checkpoint: its candidate was interrupted before its first checkpoint; it starts again.
            string file = Path.Combine(folder, TrainingCheckpoint.FileName);
            if (File.Exists(file))
                _resumeFiles[i] = file;
            string diverged = Path.Combine(folder, DivergedFileName);
            if (File.Exists(diverged))
                _diverged[i] = ReadDiverged(diverged);
        }
    }

    private static TrainingDivergedException ReadDiverged(string file)
    {
        string[] lines = File.ReadAllText(file).Split('\n', 4);
        if (lines.Length == 4 && int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int epoch)
            && long.TryParse(lines[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long step)
            && double.TryParse(lines[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double learningRate))
            return new TrainingDivergedException(lines[3], epoch, step, learningRate);
        throw new InvalidDataException($"{ResumeFrom}: '{file}' is not a readable record of a diverged candidate (epoch, step, learning rate, message): "
            + "delete the candidate's folder to train it again.");
    }
}
