using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using MLNetSeq2Seq.Tests.Architecture;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// The library draws nothing from torch's process-wide generator: every random number comes from a network's own
/// generators (Networks/Layers/ModuleRandom), so no other thread can change a Fit's weights and no Fit changes another
/// thread's draws. The scan reads the library's IL for calls that would draw from the global generator: torch's sampling
/// functions and in-place samplers, the module factories whose constructors initialise from it (nn.Linear, nn.Dropout,
/// …), <c>nn.init</c> (which ignores the generator it is given in TorchSharp 0.107) and reseeding the global generator.
/// </summary>
public sealed class GlobalGeneratorScanTests
{
    private static readonly HashSet<string> Samplers = new(StringComparer.Ordinal)
    {
        "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "bernoulli", "bernoulli_",
        "multinomial", "normal", "normal_", "uniform_", "random_", "exponential_", "geometric_", "cauchy_", "log_normal_",
        "poisson", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout", "rrelu",
        "manual_seed", "seed", "set_rng_state",
    };

    private static readonly HashSet<string> InitialisingModules = new(StringComparer.Ordinal)
    {
        "Linear", "Bilinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
        "Embedding", "EmbeddingBag", "GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell", "MultiheadAttention",
        "Transformer", "TransformerEncoderLayer", "TransformerDecoderLayer", "Dropout", "Dropout1d", "Dropout2d",
        "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
    };

    // The one class that draws, always with its own generator.
    private const string OwnGenerators = "MLNetSeq2Seq.Networks.Layers.ModuleRandom";

    // TorchSharp has no other GRU/LSTM: their native constructors fill the weights from the global generator, which
    // RecurrentLayers redraws from the network's generator and whose state it puts back.
    private const string NativeRecurrentBuilder = "MLNetSeq2Seq.Networks.RecurrentLayers";

    [Fact]
    public void The_library_draws_nothing_from_torchs_global_generator()
    {
        List<string> found = GlobalDraws(typeof(Seq2SeqEstimator).Assembly.Location);

        Assert.True(found.Count == 0, "Calls that draw from torch's global generator:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_finds_a_global_draw_where_there_is_one()
    {
        List<string> found = GlobalDraws(typeof(GlobalGeneratorScanTests).Assembly.Location);

        Assert.Contains(found, f => f.Contains(nameof(RandnProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(LinearProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(DropoutProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(InitProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(InPlaceSamplerProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(ReseedProbe), StringComparison.Ordinal));
        Assert.DoesNotContain(found, f => f.Contains(nameof(ArithmeticProbe), StringComparison.Ordinal));
    }

    private static TorchSharp.torch.Tensor RandnProbe() => TorchSharp.torch.randn(3);

    private static TorchSharp.Modules.Linear LinearProbe() => TorchSharp.torch.nn.Linear(2, 2);

    private static TorchSharp.Modules.Dropout DropoutProbe() => TorchSharp.torch.nn.Dropout(0.5);

    private static TorchSharp.torch.Tensor InitProbe(TorchSharp.torch.Tensor tensor) => TorchSharp.torch.nn.init.uniform_(tensor);

    private static TorchSharp.torch.Tensor InPlaceSamplerProbe(TorchSharp.torch.Tensor tensor) => tensor.bernoulli_(0.5);

    private static void ReseedProbe() => TorchSharp.torch.random.manual_seed(1);

    private static TorchSharp.torch.Tensor ArithmeticProbe(TorchSharp.torch.Tensor left, TorchSharp.torch.Tensor right) => left.mul(right);

    private static List<string> GlobalDraws(string assemblyPath)
    {
        var found = new List<string>();
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var (type, method, instruction, called) in IlCalls.In(assembly))
        {
            string owner = OuterType(type).FullName;
            if (owner == OwnGenerators || !DrawsFromTheGlobalGenerator(called))
                continue;
            if (!(owner == NativeRecurrentBuilder && called.Name is "GRU" or "LSTM" or "set_rng_state"))
                found.Add($"{method.FullName} (IL_{instruction.Offset:x4}): {called.FullName}");
        }
        return found;
    }

    private static bool DrawsFromTheGlobalGenerator(MethodReference called)
    {
        if (!called.DeclaringType.Scope.Name.StartsWith("TorchSharp", StringComparison.Ordinal))
            return false;
        string declaring = called.DeclaringType.FullName;
        return Samplers.Contains(called.Name)
            || (declaring == "TorchSharp.torch/nn" && InitialisingModules.Contains(called.Name))
            || declaring == "TorchSharp.torch/nn/init";
    }

    private static TypeDefinition OuterType(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
            type = type.DeclaringType;
        return type;
    }
}
