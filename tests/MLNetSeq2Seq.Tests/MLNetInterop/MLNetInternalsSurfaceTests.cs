using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Xunit;

namespace MLNetSeq2Seq.Tests.MLNetInterop;

/// <summary>
/// The library compiles against publicized ML.NET (eng/MLNetPublicizer.targets) and runs against the real one. These
/// tests read the compiled library's IL and resolve every ML.NET type and member it references against the ML.NET
/// assemblies the tests run with (the line -p:MicrosoftMLLine chose): each must exist there, and the ones that are not
/// public there must be exactly the list in docs/mlnet-internals.md — so a new ML.NET release is a checklist.
/// </summary>
public sealed class MLNetInternalsSurfaceTests
{
    private static readonly string[] s_mlnetAssemblies = { "Microsoft.ML.Core", "Microsoft.ML.Data", "Microsoft.ML.DataView" };

    [Fact]
    public void Every_ML_NET_member_the_library_references_exists_in_the_ML_NET_it_runs_against()
    {
        var (missing, _) = Scan();

        Assert.True(missing.Count == 0, "referenced by the library but missing from the ML.NET under test (a MissingMethodException waiting to happen):\n"
            + string.Join("\n", missing));
    }

    [Fact]
    public void The_internal_ML_NET_members_the_library_touches_are_exactly_those_docs_list()
    {
        var (_, internals) = Scan();
        string docs = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "docs", "mlnet-internals.md"));
        var listed = new SortedSet<string>(Regex.Matches(docs, @"^- `([^`]+)`", RegexOptions.Multiline).Select(m => m.Groups[1].Value), StringComparer.Ordinal);

        Assert.NotEmpty(internals); // the save/load plumbing is internal in every ML.NET release so far
        var undocumented = internals.Except(listed).ToList();
        var stale = listed.Except(internals).ToList();
        Assert.True(undocumented.Count == 0 && stale.Count == 0,
            $"docs/mlnet-internals.md is out of date.\nused but not listed:\n{string.Join("\n", undocumented.Select(u => $"- `{u}`"))}\nlisted but not used:\n{string.Join("\n", stale)}");
    }

    /// <summary>Every ML.NET type and member reference in the library, resolved against the ML.NET next to the test
    /// assembly. Returns the references that do not resolve, and the names of those that resolve to non-public members
    /// (or members of non-public types).</summary>
    private static (List<string> Missing, SortedSet<string> Internals) Scan()
    {
        string folder = Path.GetDirectoryName(typeof(MLNetInternalsSurfaceTests).Assembly.Location)!;
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(folder);
        resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        using var module = ModuleDefinition.ReadModule(typeof(Seq2SeqEstimator).Assembly.Location, new ReaderParameters { AssemblyResolver = resolver });

        var missing = new List<string>();
        var internals = new SortedSet<string>(StringComparer.Ordinal);
        foreach (TypeReference type in module.GetTypeReferences().Where(t => IsMLNet(t.Scope)))
        {
            TypeDefinition? definition = type.Resolve();
            if (definition is null)
                missing.Add("type " + type.FullName);
            else if (!IsVisible(definition))
                internals.Add(definition.FullName.Replace('/', '.'));
        }
        foreach (MemberReference member in module.GetMemberReferences().Where(m => IsMLNet(m.DeclaringType.GetElementType().Scope)))
        {
            IMemberDefinition? definition = member.Resolve();
            if (definition is null)
            {
                missing.Add(member.FullName);
                continue;
            }
            bool isPublic = definition switch
            {
                MethodDefinition method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
                FieldDefinition field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
                _ => true,
            };
            if (!isPublic || !IsVisible(definition.DeclaringType))
                internals.Add($"{definition.DeclaringType.FullName.Replace('/', '.')}.{definition.Name}");
        }
        return (missing, internals);
    }

    private static bool IsMLNet(IMetadataScope scope) => s_mlnetAssemblies.Contains(scope switch
    {
        AssemblyNameReference reference => reference.Name,
        ModuleDefinition definition => definition.Assembly.Name.Name,
        _ => scope.Name,
    });

    private static bool IsVisible(TypeDefinition type) =>
        type.IsNested ? (type.IsNestedPublic || type.IsNestedFamily || type.IsNestedFamilyOrAssembly) && IsVisible(type.DeclaringType) : type.IsPublic;
}
