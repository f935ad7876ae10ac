using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// The optimizer block of a checkpoint: <see cref="AdamWOptimizer"/>'s groups and moments, behind a signature and a
/// version. Also reads the block that releases before the own optimizer wrote (TorchSharp's <c>save_state_dict</c> of
/// its AdamW, which starts with the type name "AdamW"), so their checkpoints still resume exactly.
/// </summary>
internal static class AdamWStateFormat
{
    private const string Magic = "MLNETS2S-ADAMW";
    // Format history: 1 initial (the blob TorchSharp's AdamW wrote before it has no version and is still read).
    private const int FormatVersion = 1;
    private const string TorchSharpSignature = "AdamW";

    // *** Binary format ***
    // string magic, int version; double beta1, beta2, epsilon; int group count; per group: double learning rate,
    // double weight decay, int parameter count; per parameter: long step, first moment, second moment (each as
    // TorchSharp's Tensor.Save writes it: dtype, shape, raw bytes).
    public static byte[] Save(AdamWOptimizer optimizer)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(AdamWOptimizer.Beta1);
            writer.Write(AdamWOptimizer.Beta2);
            writer.Write(AdamWOptimizer.Epsilon);
            writer.Write(optimizer.Groups.Count);
            foreach (AdamWOptimizer.Group group in optimizer.Groups)
            {
                writer.Write(group.LearningRate);
                writer.Write(group.WeightDecay);
                writer.Write(group.States.Count);
                foreach (AdamWOptimizer.ParameterState state in group.States)
                {
                    writer.Write(state.Step);
                    state.ExpAvg.Save(writer);
                    state.ExpAvgSq.Save(writer);
                }
            }
        }
        return memory.ToArray();
    }

    /// <summary>Restores <paramref name="optimizer"/>'s learning rates, weight decays, step counts and moments from a block
    /// written by <see cref="Save"/> or by TorchSharp's AdamW over the same groups.</summary>
    public static void Load(AdamWOptimizer optimizer, byte[] state)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state, writable: false), Encoding.UTF8);
            string signature = reader.ReadString();
            if (signature == TorchSharpSignature)
                LoadTorchSharp(optimizer, state);
            else if (signature == Magic)
                LoadOwn(optimizer, reader);
            else
                throw new InvalidDataException("it starts with neither the optimizer signature nor TorchSharp's");
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{CheckpointOptions.ResumeFromPath}: the checkpoint's optimizer state cannot be restored: {ex.Message}", ex);
        }
    }

    private static void LoadOwn(AdamWOptimizer optimizer, BinaryReader reader)
    {
        int version = reader.ReadInt32();
        if (version < 1 || version > FormatVersion)
            throw new InvalidDataException($"optimizer state format {version} is not one of the formats 1 to {FormatVersion} this version reads");
        CheckHyperparameters(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), amsgrad: false, maximize: false);
        CheckCount("parameter groups", reader.ReadInt32(), optimizer.Groups.Count);
        using var noGrad = torch.no_grad();
        for (int g = 0; g < optimizer.Groups.Count; g++)
        {
            AdamWOptimizer.Group group = optimizer.Groups[g];
            group.LearningRate = reader.ReadDouble();
            group.WeightDecay = reader.ReadDouble();
            CheckCount($"parameters in group {g}", reader.ReadInt32(), group.States.Count);
            foreach (AdamWOptimizer.ParameterState parameter in group.States)
            {
                parameter.Step = reader.ReadInt64();
                parameter.ExpAvg.Load(reader);
                parameter.ExpAvgSq.Load(reader);
            }
        }
        if (reader.BaseStream.Position != reader.BaseStream.Length)
            throw new InvalidDataException("the optimizer state goes on after its last parameter");
    }

    /// <summary>TorchSharp's own reader, run on a temporary TorchSharp AdamW over the same parameters and groups; its
    /// step counts and moments are then copied across. It only reads: nothing steps with TorchSharp's optimizer.</summary>
    private static void LoadTorchSharp(AdamWOptimizer optimizer, byte[] state)
    {
        var groups = optimizer.Groups.Select(g => new AdamW.ParamGroup(g.States.Select(s => s.Parameter).ToList(),
            new AdamW.Options { LearningRate = g.LearningRate, weight_decay = g.WeightDecay })).ToList();
        using AdamW legacy = torch.optim.AdamW(groups);
        using (var reader = new BinaryReader(new MemoryStream(state, writable: false), Encoding.UTF8))
        {
            legacy.load_state_dict(reader);
            if (reader.BaseStream.Position != reader.BaseStream.Length)
                throw new InvalidDataException("TorchSharp's optimizer state goes on after its last parameter");
        }
        OptimizerHelper.StateDictionary dictionary = legacy.state_dict();
        using var noGrad = torch.no_grad();
        int index = 0;
        for (int g = 0; g < optimizer.Groups.Count; g++)
        {
            var options = (AdamW.Options)dictionary.Options[g];
            CheckHyperparameters(options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.amsgrad!.Value, options.maximize!.Value);
            AdamWOptimizer.Group group = optimizer.Groups[g];
            group.LearningRate = options.LearningRate!.Value;
            group.WeightDecay = options.weight_decay!.Value;
            foreach (AdamWOptimizer.ParameterState parameter in group.States)
            {
                var saved = (AdamW.State)dictionary.State[index++];
                parameter.Step = saved.step;
                parameter.ExpAvg.copy_(saved.exp_avg);
                parameter.ExpAvgSq.copy_(saved.exp_avg_sq);
            }
        }
    }

    private static void CheckHyperparameters(double beta1, double beta2, double epsilon, bool amsgrad, bool maximize)
    {
        if (beta1 != AdamWOptimizer.Beta1 || beta2 != AdamWOptimizer.Beta2 || epsilon != AdamWOptimizer.Epsilon || amsgrad || maximize)
            throw new InvalidDataException($"it was written with betas ({beta1}, {beta2}), ε {epsilon}, AMSGrad {amsgrad}, maximize {maximize}; "
                + $"this optimizer uses betas ({AdamWOptimizer.Beta1}, {AdamWOptimizer.Beta2}), ε {AdamWOptimizer.Epsilon}, no AMSGrad, minimising");
    }

    private static void CheckCount(string what, int saved, int expected)
    {
        if (saved != expected)
            throw new InvalidDataException($"it holds {saved} {what}, the network here has {expected}");
    }
}
