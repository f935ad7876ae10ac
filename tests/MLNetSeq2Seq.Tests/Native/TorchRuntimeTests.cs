using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Native;

[Collection(GlobalTorchGenerator.Name)]
public sealed class TorchRuntimeTests
{
    [Fact]
    public void Torch_loads_and_a_training_step_lowers_the_loss_on_the_cpu()
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(7);
        using var model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1));
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        using var x = torch.randn(64, 4);
        using var y = (x.sum(1, keepdim: true) * 0.5f).detach();

        float LossAndStep()
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(x), y);
            loss.backward();
            optimizer.step();
            return loss.ToSingle();
        }

        float first = LossAndStep();
        float last = first;
        for (int step = 0; step < 100; step++)
            last = LossAndStep();

        Assert.True(float.IsFinite(first));
        Assert.True(last < first * 0.5f, $"loss went from {first} to {last}");
    }
}
