using System;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Networks.Autoregressive;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

[Collection(GlobalTorchGenerator.Name)]
public sealed class AutoregressiveNetworkTests
{
    public static TheoryData<RecurrentCellType, AttentionKind, bool, int> Architectures()
    {
        var data = new TheoryData<RecurrentCellType, AttentionKind, bool, int>();
        foreach (RecurrentCellType cell in Enum.GetValues<RecurrentCellType>())
            foreach (AttentionKind attention in Enum.GetValues<AttentionKind>())
                foreach (bool bidirectional in new[] { false, true })
                    data.Add(cell, attention, bidirectional, bidirectional ? 2 : 1);
        return data;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_architecture_predicts_horizon_by_output_features_and_batches_like_single_rows(RecurrentCellType cell, AttentionKind attention, bool bidirectional, int layers)
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(3);
        using var network = NetworkFactory.Create(new NetworkArchitecture(InputFeatureCount: 2, OutputFeatureCount: 3, Horizon: 4,
            HiddenSize: 8, LayerCount: layers, cell, bidirectional, attention, Dropout: 0.1));
        network.eval();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(5, 7, 2);

        Tensor batched = network.Forward(features);
        Assert.Equal(new long[] { 5, 4, 3 }, batched.shape);
        for (int row = 0; row < 5; row++)
        {
            Tensor alone = network.Forward(features.narrow(0, row, 1));
            Assert.True(torch.allclose(alone[0], batched[row], rtol: 1e-5, atol: 1e-6), $"row {row} differs when batched");
        }
    }

    [Fact]
    public void Teacher_forcing_with_no_forced_step_equals_autoregressive_decoding()
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(4);
        using var network = NetworkFactory.Create(new NetworkArchitecture(2, 2, 5, 8, 1, RecurrentCellType.Gru, false, AttentionKind.None, 0));
        network.eval();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(3, 6, 2);
        Tensor targets = torch.randn(3, 5, 2);

        Tensor free = network.Forward(features);
        Tensor noneForced = network.Forward(features, teacherTargets: targets, teacherForcedSteps: new bool[5]);
        Tensor allForced = network.Forward(features, teacherTargets: targets, teacherForcedSteps: new[] { true, true, true, true, true });

        Assert.True(TensorAssert.Identical(free, noneForced));
        Assert.True(TensorAssert.Identical(free[.., 0, ..], allForced[.., 0, ..])); // the first step never sees a target
        Assert.False(torch.allclose(free[.., 1.., ..], allForced[.., 1.., ..]));
    }
}
