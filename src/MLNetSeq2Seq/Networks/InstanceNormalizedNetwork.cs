using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// Instance normalisation around any family (NLinear's subtract-last, RevIN's standardize with an optional learned
/// affine map per column). Statistics come from each input window's own real steps; every output is mapped back with
/// the statistics (and affine parameters) of the input column it forecasts, so a window shifted by a constant gets
/// the same forecast shifted by that constant. Teacher-forcing targets are normalised the same way.
/// </summary>
internal sealed class InstanceNormalizedNetwork : SequenceNetwork
{
    private const double Epsilon = 1e-5;

    // Named like their state-dict keys.
    private readonly SequenceNetwork inner;
    private readonly Parameter? affine_weight;
    private readonly Parameter? affine_bias;
    private readonly long[] _targets;

    public InstanceNormalizedNetwork(NetworkArchitecture architecture, SequenceNetwork wrapped) : base(nameof(InstanceNormalizedNetwork), architecture, wrapped.Random)
    {
        if (architecture.Normalization == InstanceNormalization.None)
            throw new ArgumentException("No instance normalisation to apply.", nameof(architecture));
        if (architecture.Targets.Length != architecture.OutputFeatureCount)
            throw new ArgumentException("Instance normalisation needs the input column of every output.", nameof(architecture));
        inner = wrapped;
        _targets = Array.ConvertAll(architecture.Targets, i => (long)i);
        if (architecture.NormalizationAffine)
        {
            affine_weight = new Parameter(torch.ones(architecture.InputFeatureCount));
            affine_bias = new Parameter(torch.zeros(architecture.InputFeatureCount));
        }
        RegisterComponents();
    }

    public override Tensor forward(SequenceInput input)
    {
        var (features, lengths, teacherTargets, teacherForcedSteps, channels, future) = input;
        Tensor? mask = lengths is null ? null
            : (Range(features.shape[1], features.device).unsqueeze(0) < lengths.to(features.device).unsqueeze(1)).unsqueeze(2).to(features.dtype);
        var (location, scale) = Statistics(features, lengths, mask);
        Tensor normalized = features - location;
        if (scale is not null)
            normalized = normalized / scale;
        if (affine_weight is not null)
            normalized = Plus(normalized * affine_weight, affine_bias!);
        if (mask is not null)
            normalized = normalized * mask; // padding stays zero, as the family expects

        Tensor targetIndex = torch.tensor(_targets, device: features.device);
        Tensor targetLocation = location.index_select(2, targetIndex);
        Tensor? targetScale = scale?.index_select(2, targetIndex);
        Tensor? targetWeight = affine_weight?.index_select(0, targetIndex);
        Tensor? targetBias = affine_bias?.index_select(0, targetIndex);
        Tensor? normalizedTargets = null;
        if (teacherTargets is not null)
        {
            normalizedTargets = teacherTargets - targetLocation;
            if (targetScale is not null)
                normalizedTargets = normalizedTargets / targetScale;
            if (targetWeight is not null)
                normalizedTargets = Plus(normalizedTargets * targetWeight, targetBias!);
        }

        // Known-future features are not part of the window's scale: they pass through as given.
        Tensor prediction = inner.Forward(normalized, lengths, normalizedTargets, teacherForcedSteps, channels, future);
        if (targetWeight is not null)
            prediction = (prediction - targetBias!) / Plus(targetWeight, Epsilon * Epsilon);
        if (targetScale is not null)
            prediction = prediction * targetScale;
        return Plus(prediction, targetLocation);
    }

    /// <summary>(N, 1, F) location and scale (null for subtract-last) over each row's real steps.</summary>
    private (Tensor Location, Tensor? Scale) Statistics(Tensor features, Tensor? lengths, Tensor? mask)
    {
        if (Architecture.Normalization == InstanceNormalization.SubtractLast)
        {
            return (LastSteps.Of(features, lengths).unsqueeze(1), null);
        }
        if (mask is null)
        {
            Tensor mean = features.mean(new long[] { 1 }, keepdim: true);
            Tensor variance = Power(features - mean, 2).mean(new long[] { 1 }, keepdim: true);
            return (mean, Plus(variance, Epsilon).sqrt());
        }
        Tensor count = mask.sum(1, keepdim: true);
        Tensor maskedMean = (features * mask).sum(1, keepdim: true) / count;
        Tensor maskedVariance = (Power(features - maskedMean, 2) * mask).sum(1, keepdim: true) / count;
        return (maskedMean, Plus(maskedVariance, Epsilon).sqrt());
    }
}
