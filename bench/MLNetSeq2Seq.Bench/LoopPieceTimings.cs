using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Each step piece on its own, for the loop-parts figure: the raw loop's whole step (forward, backward, clip, AdamW)
/// and, on the gradients of one batch, TorchSharp's clip_grad_norm_ and AdamW step, the library's clipping and AdamW
/// step, and the divergence watch (hold the weights, record, undo-if-diverged). Every round times each piece over
/// <see cref="CallsPerRound"/> calls, the pieces in turn, so load changes hit them alike; medians over rounds, per call.
/// </summary>
internal static class LoopPieceTimings
{
    private const int CallsPerRound = 30;

    public static void Run(Workload workload, int rounds)
    {
        List<SequenceRow> rows = workload.GenerateRows();
        int batch = workload.BatchSize;
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor(rows.Take(batch).SelectMany(r => r.Features).ToArray(), new long[] { batch, workload.InputLength, Workload.FeatureCount });
        Tensor y = torch.tensor(rows.Take(batch).SelectMany(r => r.Label).ToArray(), new long[] { batch, Workload.Horizon, Workload.OutputFeatureCount });
        torch.manual_seed(Workload.Seed);
        using var network = new RawSequenceNetwork(Workload.FeatureCount, Workload.OutputFeatureCount, Workload.HiddenSize, Workload.LayerCount, Workload.Horizon);
        network.train();
        var parameters = network.parameters().ToList();
        using var torchAdamW = RawTrainingLoop.TorchAdamW(parameters);
        using var ownAdamW = AdamWOptimizer.ForNetwork(network, Workload.LearningRate, Workload.WeightDecay);
        using var watch = new NonFiniteStepMonitor(torch.CPU, skipSteps: false);
        Tensor loss = torch.ones(1, dtype: ScalarType.Float64), squaredNorm = torch.ones(1);
        long step = 0;
        // The component's own network for W1, built as Fit builds it, with its own clipping and AdamW step.
        NetworkArchitecture architecture = NetworkArchitecture.From(workload.ComponentOptions(1, null), Workload.FeatureCount, Workload.OutputFeatureCount,
            Workload.Horizon, targetInputIndices: null, channelIndependent: false, workload.InputLength);
        using SequenceNetwork library = NetworkFactory.Create(architecture, Workload.Seed);
        library.train();
        var libraryParameters = library.parameters().ToList();
        using var libraryAdamW = AdamWOptimizer.ForNetwork(library, Workload.LearningRate, Workload.WeightDecay);
        bool[] teacherForced = Enumerable.Repeat(true, Workload.Horizon).ToArray();

        void WholeStep()
        {
            torchAdamW.zero_grad();
            Tensor stepLoss = nn.functional.mse_loss(network.Forward(x, y), y);
            stepLoss.backward();
            torch.nn.utils.clip_grad_norm_(parameters, Workload.GradientClipNorm);
            torchAdamW.step();
        }
        void LibraryStep()
        {
            libraryAdamW.ZeroGrad();
            Tensor stepLoss = nn.functional.mse_loss(library.Forward(x, teacherTargets: y, teacherForcedSteps: teacherForced), y);
            stepLoss.backward();
            GradientClipping.ClipByGlobalNorm(libraryParameters, Workload.GradientClipNorm);
            libraryAdamW.Step();
        }
        var pieces = new (string Name, Action Call)[]
        {
            ("raw loop step (forward, backward, clip_grad_norm_, AdamW)", WholeStep),
            ("the component's network, same step (its forward, backward, clipping, AdamW step)", LibraryStep),
            ("TorchSharp clip_grad_norm_", () => torch.nn.utils.clip_grad_norm_(parameters, Workload.GradientClipNorm)),
            ("library clipping (GradientClipping.ClipByGlobalNorm)", () => GradientClipping.ClipByGlobalNorm(parameters, Workload.GradientClipNorm)),
            ("TorchSharp AdamW step", () => torchAdamW.step()),
            ("library AdamW step (AdamWOptimizer.Step)", () => ownAdamW.Step()),
            ("divergence watch (hold, record, undo)", () =>
            {
                Tensor[] held = NonFiniteStepMonitor.HoldWeights(parameters);
                watch.Record(loss, squaredNorm, step++);
                watch.UndoUpdateIfDiverged(parameters, held);
            }),
        };
        var perCall = pieces.Select(_ => new List<double>()).ToArray();
        for (int round = -1; round < rounds; round++) // round −1 warms every piece up, untimed
        {
            for (int i = 0; i < pieces.Length; i++)
            {
                TrainingComparison.Quiesce();
                int calls = i <= 1 ? Math.Max(1, CallsPerRound / 10) : CallsPerRound;
                var clock = Stopwatch.StartNew();
                for (int call = 0; call < calls; call++)
                {
                    using var callScope = torch.NewDisposeScope();
                    pieces[i].Call();
                }
                if (round >= 0)
                    perCall[i].Add(clock.Elapsed.TotalSeconds / calls);
            }
        }
        double stepSeconds = Summary.Of(perCall[0]).Median;
        Console.WriteLine();
        Console.WriteLine($"### Each piece on its own: L = {workload.InputLength}, batch {batch}, {rounds} rounds (load at the end {MachineInfo.LoadAverage()})");
        Console.WriteLine();
        Console.WriteLine("| piece | ms per call, median (min–max) | ÷ raw loop step |");
        Console.WriteLine("|---|---|---|");
        for (int i = 0; i < pieces.Length; i++)
            Console.WriteLine($"| {pieces[i].Name} | {Summary.Of(perCall[i].Select(s => s * 1000)).Format("F3")} | {Summary.Of(perCall[i]).Median / stepSeconds:P2} |");
        double Median(int i) => Summary.Of(perCall[i]).Median;
        Console.WriteLine();
        string Share(double seconds) => (seconds < 0 ? "−" : "+") + Math.Abs(seconds / stepSeconds).ToString("P2", System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"Added per step, ÷ raw loop step: library clipping {Share(Median(3) - Median(2))}, "
            + $"library AdamW step {Share(Median(5) - Median(4))}, divergence watch {Share(Median(6))}; the component's network step against the raw one {Share(Median(1) - Median(0))}.");
    }
}
