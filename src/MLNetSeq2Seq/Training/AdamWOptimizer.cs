using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// AdamW (decoupled weight decay) computed exactly as TorchSharp 0.107's <c>AdamW.step</c> computes it — the same
/// libtorch calls in the same order with the same double-precision coefficients, so the weights are bit-identical —
/// but with every Scalar made explicitly and kept alive over its call (<see cref="Native.TensorScalars"/>). TorchSharp's
/// own step makes implicit Scalars, which its finalizer thread could free while libtorch still read them.
/// Betas 0.9 / 0.999, ε 1e-8, no AMSGrad, minimising. Moments live on each parameter's device.
/// </summary>
internal sealed class AdamWOptimizer : IDisposable
{
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.999;
    public const double Epsilon = 1e-8;

    private readonly Group[] _groups;

    /// <param name="groups">Parameter groups, each with its decoupled weight decay; every group starts at <paramref name="learningRate"/>.</param>
    /// <param name="learningRate">The starting learning rate of every group.</param>
    public AdamWOptimizer(IEnumerable<(IEnumerable<Parameter> Parameters, double WeightDecay)> groups, double learningRate)
    {
        if (learningRate < 0 || double.IsNaN(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "AdamW: the learning rate must be 0 or more.");
        _groups = groups.Select(g =>
        {
            if (g.WeightDecay < 0 || double.IsNaN(g.WeightDecay))
                throw new ArgumentOutOfRangeException(nameof(groups), g.WeightDecay, "AdamW: the weight decay must be 0 or more.");
            return new Group(g.Parameters.Select(p => new ParameterState(p)).ToArray(), g.WeightDecay) { LearningRate = learningRate };
        }).ToArray();
    }

    /// <summary>Two groups, as the trainer uses them: weight matrices (parameters of 2 or more dimensions) decayed by
    /// <paramref name="weightDecay"/>, then biases and other 1-D parameters, not decayed.</summary>
    public static AdamWOptimizer ForNetwork(nn.Module network, double learningRate, double weightDecay)
    {
        var decayed = new List<Parameter>();
        var notDecayed = new List<Parameter>();
        foreach (var (_, parameter) in network.named_parameters())
            (parameter.dim() > 1 ? decayed : notDecayed).Add(parameter);
        return new AdamWOptimizer(new (IEnumerable<Parameter>, double)[] { (decayed, weightDecay), (notDecayed, 0) }, learningRate);
    }

    /// <summary>The groups in order; their learning rates can be set one by one.</summary>
    public IReadOnlyList<Group> Groups => _groups;

    /// <summary>Sets the learning rate of every group.</summary>
    public void SetLearningRate(double learningRate)
    {
        foreach (Group group in _groups)
            group.LearningRate = learningRate;
    }

    /// <summary>Zeroes every parameter's gradient in place (parameters without one are left so). Each read of a
    /// gradient makes a tensor handle, disposed here.</summary>
    public void ZeroGrad()
    {
        foreach (Group group in _groups)
        {
            foreach (ParameterState state in group.States)
            {
                using Tensor? gradient = state.Parameter.grad;
                gradient?.zero_();
            }
        }
    }

    /// <summary>One update of every parameter that has a gradient, in TorchSharp 0.107's order of operations:
    /// p ← p·(1 − lr·wd); m ← m·β1 + (1 − β1)·g; v ← v·β2 + (1 − β2)·g²; p ← p − (lr / (1 − β1^t))·m / (√v / √(1 − β2^t) + ε).
    /// A parameter's step count t advances only when it has a gradient.</summary>
    public void Step()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        foreach (Group group in _groups)
        {
            double learningRate = group.LearningRate, weightDecay = group.WeightDecay;
            foreach (ParameterState state in group.States)
            {
                Tensor? gradient = state.Parameter.grad;
                if (gradient is null)
                    continue;
                state.Step += 1;
                TimesInPlace(state.Parameter, 1 - learningRate * weightDecay);
                double biasCorrection1 = 1 - Math.Pow(Beta1, state.Step);
                double biasCorrection2 = 1 - Math.Pow(Beta2, state.Step);
                AddScaledInPlace(TimesInPlace(state.ExpAvg, Beta1), gradient, 1 - Beta1);
                AddProductInPlace(TimesInPlace(state.ExpAvgSq, Beta2), gradient, gradient, 1 - Beta2);
                Tensor denominator = AddInPlace(DividedBy(state.ExpAvgSq.sqrt(), Math.Sqrt(biasCorrection2)), Epsilon);
                double stepSize = learningRate / biasCorrection1;
                AddQuotientInPlace(state.Parameter, state.ExpAvg, denominator, -stepSize);
            }
        }
    }

    public void Dispose()
    {
        foreach (Group group in _groups)
            foreach (ParameterState state in group.States)
                state.Dispose();
    }

    /// <summary>Parameters sharing a learning rate and a weight decay.</summary>
    internal sealed class Group(ParameterState[] states, double weightDecay)
    {
        public IReadOnlyList<ParameterState> States { get; } = states;

        public double LearningRate { get; set; }

        public double WeightDecay { get; set; } = weightDecay;
    }

    /// <summary>A parameter and its moments (zeros like it: same shape, dtype and device) and step count.</summary>
    internal sealed class ParameterState : IDisposable
    {
        public ParameterState(Parameter parameter)
        {
            Parameter = parameter;
            ExpAvg = torch.zeros_like(parameter).DetachFromDisposeScope();
            ExpAvgSq = torch.zeros_like(parameter).DetachFromDisposeScope();
        }

        public Parameter Parameter { get; }

        /// <summary>Updates applied to this parameter so far (the bias corrections' exponent).</summary>
        public long Step { get; set; }

        /// <summary>The first moment, m.</summary>
        public Tensor ExpAvg { get; }

        /// <summary>The second moment, v.</summary>
        public Tensor ExpAvgSq { get; }

        public void Dispose()
        {
            ExpAvg.Dispose();
            ExpAvgSq.Dispose();
        }
    }
}
