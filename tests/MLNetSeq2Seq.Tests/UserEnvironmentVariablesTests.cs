using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace MLNetSeq2Seq.Tests;

public sealed class UserEnvironmentVariablesTests
{
    private static readonly HashSet<string> s_environmentReaders = new() { "GetEnvironmentVariable", "GetEnvironmentVariables", "ExpandEnvironmentVariables" };
    private static readonly HashSet<string> s_nativeReaders = new() { "getenv", "secure_getenv" };

    private static string[] AllowList() => typeof(UserEnvironmentVariables)
        .GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void The_shipped_assembly_reads_only_the_documented_user_facing_environment_variables()
    {
        string library = typeof(Seq2SeqEstimator).Assembly.Location;
        string[] allowed = AllowList();

        var (names, problems) = Scan(library);

        Assert.True(problems.Count == 0, "environment reads the allow-list cannot vouch for:\n" + string.Join("\n", problems));
        var unlisted = names.Where(n => !allowed.Contains(n.Name)).Select(n => $"{n.Method} reads '{n.Name}'").ToList();
        Assert.True(unlisted.Count == 0, $"not in {nameof(UserEnvironmentVariables)}:\n" + string.Join("\n", unlisted));
    }

    [Fact]
    public void Every_allowed_variable_has_a_doc_line()
    {
        // The build writes the XML docs beside the library; each listed variable needs a summary there.
        string docs = Path.ChangeExtension(typeof(Seq2SeqEstimator).Assembly.Location, ".xml");
        XDocument xml = XDocument.Load(docs);
        Assert.Contains(xml.Descendants("member"), m => (string?)m.Attribute("name") == "T:" + typeof(UserEnvironmentVariables).FullName);
        foreach (var field in typeof(UserEnvironmentVariables).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public).Where(f => f.IsLiteral))
        {
            string summary = xml.Descendants("member").SingleOrDefault(m => (string?)m.Attribute("name") == $"F:{typeof(UserEnvironmentVariables).FullName}.{field.Name}")?.Element("summary")?.Value.Trim() ?? "";
            Assert.True(summary.Length > 10, $"{field.Name} has no doc line saying what it changes");
        }
    }

    [Fact]
    public void The_scan_sees_a_literal_read_in_an_assembly_that_has_one()
    {
        // The test assembly's child-process runner reads DOTNET_HOST_PATH: the scanner must find it, or the test above
        // would pass on any assembly.
        var (names, _) = Scan(typeof(UserEnvironmentVariablesTests).Assembly.Location);

        Assert.Contains(names, n => n.Name == "DOTNET_HOST_PATH" && n.Method.Contains("ChildProcessRunner", StringComparison.Ordinal));
    }

    /// <summary>Every read of the environment in the assembly: the literal names passed to
    /// Environment.GetEnvironmentVariable, and the reads that cannot be checked (a name that is not a literal, the whole
    /// environment, expansion, a method group, native getenv).</summary>
    private static (List<(string Method, string Name)> Names, List<string> Problems) Scan(string assemblyPath)
    {
        var names = new List<(string, string)>();
        var problems = new List<string>();
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (TypeDefinition type in assembly.MainModule.GetTypes())
        {
            foreach (MethodDefinition method in type.Methods)
            {
                if (method.IsPInvokeImpl && s_nativeReaders.Contains(method.PInvokeInfo?.EntryPoint ?? method.Name))
                    problems.Add($"{method.FullName} imports native {method.PInvokeInfo?.EntryPoint ?? method.Name}");
                if (!method.HasBody)
                    continue;
                foreach (Instruction instruction in method.Body.Instructions)
                {
                    if (instruction.Operand is not MethodReference called
                        || called.DeclaringType.FullName != "System.Environment" || !s_environmentReaders.Contains(called.Name))
                        continue;
                    string where = $"{method.FullName} (IL_{instruction.Offset:x4})";
                    if (instruction.OpCode.Code != Code.Call || called.Name != "GetEnvironmentVariable")
                    {
                        problems.Add($"{where}: {instruction.OpCode} {called.Name}");
                        continue;
                    }
                    // GetEnvironmentVariable(string) or (string, EnvironmentVariableTarget): the name is loaded just before
                    // the call, or just before the target constant.
                    Instruction? name = called.Parameters.Count == 1 ? instruction.Previous : instruction.Previous?.Previous;
                    if (name?.OpCode.Code == Code.Ldstr)
                        names.Add((where, (string)name.Operand));
                    else
                        problems.Add($"{where}: the variable's name is not a literal ({name?.OpCode.ToString() ?? "nothing"} before the call)");
                }
            }
        }
        return (names, problems);
    }
}
