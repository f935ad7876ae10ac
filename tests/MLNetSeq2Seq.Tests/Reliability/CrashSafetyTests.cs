using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.ChildProcess;
using MLNetSeq2Seq.Tests.Training;
using MLNetSeq2Seq.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

public sealed class CrashSafetyTests
{
    public const string TrainCommand = "train-with-checkpoints";

    private static Seq2SeqOptions Options()
    {
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 3);
        options.ValidationFraction = 0.2;
        return options;
    }

    private static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(120, seed: 9));

    private const string PausedMarker = "SEQ2SEQ-CHECKPOINT-WRITE-PAUSED";

    /// <summary>Child process: a Fit that writes a checkpoint after every epoch into args[0]; with args[1] = n, the n-th
    /// checkpoint write is torn and the process waits there (<see cref="PauseInCheckpointWrite"/>).</summary>
    public static int TrainWithCheckpoints(string[] args)
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = Options();
        options.Checkpoints = new() { Directory = args[0] };
        ITrainingObserver? observer = args.Length > 1 ? new PauseInCheckpointWrite(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)) : null;
        using Seq2SeqTransformer model = TrainingTestKit.Estimator(ml, options, observer).Fit(Data(ml));
        Console.WriteLine("FINISHED");
        return 0;
    }

    [Fact]
    public async Task A_process_killed_while_writing_a_checkpoint_leaves_the_previous_one_valid_and_resumable()
    {
        using var folder = new TemporaryFolder();
        string temporary;
        // The child's observer makes its second checkpoint write stop halfway through its temporary file and wait.
        using (Process child = ChildProcessRunner.Start(new Dictionary<string, string>(), TrainCommand, folder.Path, "2"))
        {
            Task<string> errors = child.StandardError.ReadToEndAsync();
            Task<string?> marker = Task.Run(() =>
            {
                for (string? line; (line = child.StandardOutput.ReadLine()) is not null;)
                    if (line.StartsWith(PausedMarker, StringComparison.Ordinal))
                        return line;
                return null;
            });
            string? pausedLine = await Task.WhenAny(marker, Task.Delay(TimeSpan.FromMinutes(3))) == marker ? await marker : null;
            child.Kill(entireProcessTree: true); // SIGKILL: no finally block, no cleanup runs in the child
            await child.WaitForExitAsync();
            Assert.True(pausedLine is not null, "the child never paused in its second checkpoint write: " + await errors);
            temporary = pausedLine![(PausedMarker.Length + 1)..];
        }

        // The torn temporary file is there, and is not mistaken for a checkpoint; the previous checkpoint is intact.
        Assert.True(File.Exists(temporary), temporary);
        Assert.EndsWith("is not a readable Seq2Seq checkpoint: the file fails its SHA-256 check: it was cut short or damaged after it was written",
            Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.ReadFrom(temporary)).Message);
        Assert.Equal(1, TrainingCheckpoint.ReadFrom(folder.Path).CompletedEpochs);

        // Resuming from it finishes the run exactly as an uninterrupted run, and removes the dead process's leftover.
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions resumed = Options();
        resumed.Checkpoints = new() { ResumeFrom = folder.Path, Directory = folder.Path };
        using Seq2SeqTransformer continued = ml.Regression.Trainers.Seq2Seq(resumed).Fit(Data(ml));
        var reference = new MLContext(seed: 1);
        using Seq2SeqTransformer uninterrupted = reference.Regression.Trainers.Seq2Seq(Options()).Fit(Data(reference));

        double difference = TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(continued), TrainingTestKit.Weights(uninterrupted));
        Assert.True(difference < 1e-6, $"weights differ by {difference:G3}");
        Assert.Equal(3, continued.TrainingHistory.Epochs.Count);
        Assert.Equal(new[] { TrainingCheckpoint.FileName }, Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    /// <summary>The n-th checkpoint write of the run cuts its temporary file in half, flushes it, prints
    /// <see cref="PausedMarker"/> and the file's path, and waits forever — for the test to kill the process there.</summary>
    private sealed class PauseInCheckpointWrite(int pauseAt) : ITrainingObserver
    {
        private int _writes;

        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows)
        {
        }

        public void OnEpochEnd(int epoch, MLNetSeq2Seq.Networks.SequenceNetwork network)
        {
        }

        public void OnCheckpointFlushed(FileStream temporaryFile, string temporaryPath)
        {
            if (++_writes != pauseAt)
                return;
            temporaryFile.SetLength(temporaryFile.Length / 2);
            temporaryFile.Flush(flushToDisk: true);
            Console.Out.WriteLine($"{PausedMarker} {temporaryPath}");
            Console.Out.Flush();
            System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);
        }
    }
}
