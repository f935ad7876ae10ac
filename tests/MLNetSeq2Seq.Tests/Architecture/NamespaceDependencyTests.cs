using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace MLNetSeq2Seq.Tests.Architecture;

/// <summary>
/// The library's namespaces are layered: no namespace reaches itself again through the namespaces it uses.
/// <para>The graph is read from the compiled library with Mono.Cecil: every reference a type makes (base type,
/// interfaces, attributes, fields, properties, events, method signatures, locals, catch types and the operands of method
/// bodies) is an edge from the type's namespace to the referenced type's. Constants and <c>cref</c>s are compiled away,
/// so the <c>using</c> directives of src/ are checked the same way.</para>
/// <para>Rules: only namespaces of the library (<c>MLNetSeq2Seq.*</c>) take part, nested types counting in their outer
/// type's namespace. A namespace counts as its top folder: <c>MLNetSeq2Seq.Networks.Autoregressive</c> is
/// <c>MLNetSeq2Seq.Networks</c>, since a family's folder and the registry that lists it are one concept. Edges into the
/// root namespace <c>MLNetSeq2Seq</c> are left out: it is the public API (options, enums, catalog, estimator,
/// transformer), which every part may use; edges out of it are kept.</para>
/// </summary>
public sealed class NamespaceDependencyTests
{
    private const string Root = "MLNetSeq2Seq";

    [Fact]
    public void The_compiled_library_has_no_namespace_cycle()
    {
        NamespaceGraph graph = NamespaceGraph.FromAssembly(typeof(Seq2SeqEstimator).Assembly.Location);

        Assert.True(graph.FindCycle() is null, graph.DescribeCycle());
    }

    [Fact]
    public void The_using_directives_of_the_library_make_no_namespace_cycle()
    {
        NamespaceGraph graph = NamespaceGraph.FromSources(Path.Combine(TestEnvironment.RepoRoot, "src", "MLNetSeq2Seq"));

        Assert.True(graph.FindCycle() is null, graph.DescribeCycle());
    }

    [Fact]
    public void The_readers_see_the_references_the_library_makes()
    {
        // Without these, an empty graph would pass the tests above: the loop reads its rows, scoring checks its columns.
        NamespaceGraph compiled = NamespaceGraph.FromAssembly(typeof(Seq2SeqEstimator).Assembly.Location);
        NamespaceGraph sources = NamespaceGraph.FromSources(Path.Combine(TestEnvironment.RepoRoot, "src", "MLNetSeq2Seq"));

        foreach (NamespaceGraph graph in new[] { compiled, sources })
        {
            Assert.True(graph.HasEdge("MLNetSeq2Seq.Training", "MLNetSeq2Seq.TrainingData"), graph.Describe());
            Assert.True(graph.HasEdge("MLNetSeq2Seq.Scoring", "MLNetSeq2Seq.Columns"), graph.Describe());
            Assert.True(graph.HasEdge(Root, "MLNetSeq2Seq.Scoring"), graph.Describe());
            Assert.True(graph.HasEdge("MLNetSeq2Seq.Networks", "MLNetSeq2Seq.Onnx"), graph.Describe()); // the families' folders write ONNX
            Assert.False(graph.HasEdge("MLNetSeq2Seq.Windows", Root), "edges into the root namespace are left out");
            Assert.DoesNotContain("MLNetSeq2Seq.Networks.", graph.Describe(), StringComparison.Ordinal); // counted as MLNetSeq2Seq.Networks
        }
    }

    [Fact]
    public void A_cycle_is_found_and_printed()
    {
        var graph = new NamespaceGraph();
        graph.Add("MLNetSeq2Seq.A", "MLNetSeq2Seq.B", "MLNetSeq2Seq.A.X -> MLNetSeq2Seq.B.Y");
        graph.Add("MLNetSeq2Seq.B", "MLNetSeq2Seq.C", "MLNetSeq2Seq.B.Y -> MLNetSeq2Seq.C.Z");
        graph.Add("MLNetSeq2Seq.C", "MLNetSeq2Seq.A", "MLNetSeq2Seq.C.Z -> MLNetSeq2Seq.A.X");
        graph.Add("MLNetSeq2Seq.C", "MLNetSeq2Seq.D", "MLNetSeq2Seq.C.Z -> MLNetSeq2Seq.D.W");

        Assert.Equal(new[] { "MLNetSeq2Seq.A", "MLNetSeq2Seq.B", "MLNetSeq2Seq.C", "MLNetSeq2Seq.A" }, graph.FindCycle());
        Assert.Contains("MLNetSeq2Seq.C.Z -> MLNetSeq2Seq.A.X", graph.DescribeCycle(), StringComparison.Ordinal);

        var layered = new NamespaceGraph();
        layered.Add("MLNetSeq2Seq.A", "MLNetSeq2Seq.B", "a");
        layered.Add("MLNetSeq2Seq.A", "MLNetSeq2Seq.C", "b");
        layered.Add("MLNetSeq2Seq.B", "MLNetSeq2Seq.C", "c");
        Assert.Null(layered.FindCycle());
    }

    /// <summary>Namespace → namespace edges, each with the references (type → type, or file) that make it.</summary>
    private sealed class NamespaceGraph
    {
        private readonly SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

        /// <summary>The library namespace <paramref name="name"/> counts as (its top folder), or null outside the library.</summary>
        public static string? Node(string name)
        {
            if (name != Root && !name.StartsWith(Root + ".", StringComparison.Ordinal))
                return null;
            string[] parts = name.Split('.');
            return parts.Length <= 2 ? name : parts[0] + "." + parts[1];
        }

        public void Add(string fromNamespace, string toNamespace, string evidence)
        {
            if (Node(fromNamespace) is not string from || Node(toNamespace) is not string to || from == to || to == Root)
                return;
            if (!_edges.TryGetValue(from, out var targets))
                _edges[from] = targets = new(StringComparer.Ordinal);
            if (!targets.TryGetValue(to, out var why))
                targets[to] = why = new(StringComparer.Ordinal);
            why.Add(evidence);
        }

        public bool HasEdge(string from, string to) => _edges.TryGetValue(from, out var targets) && targets.ContainsKey(to);

        /// <summary>The first cycle in ordinal order, as namespaces from its start back to it; null when there is none.</summary>
        public string[]? FindCycle()
        {
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
            var path = new List<string>();
            foreach (string start in _edges.Keys)
                if (Visit(start, state, path) is string[] cycle)
                    return cycle;
            return null;
        }

        private string[]? Visit(string node, Dictionary<string, int> state, List<string> path)
        {
            if (state.TryGetValue(node, out int seen))
                return seen == 1 ? path.Skip(path.IndexOf(node)).Append(node).ToArray() : null;
            state[node] = 1;
            path.Add(node);
            if (_edges.TryGetValue(node, out var targets))
                foreach (string next in targets.Keys)
                    if (Visit(next, state, path) is string[] cycle)
                        return cycle;
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        /// <summary>The cycle, each step with the references that make it (the first few), for a failure message.</summary>
        public string DescribeCycle()
        {
            if (FindCycle() is not string[] cycle)
                return "no cycle";
            var lines = new List<string> { "Namespace cycle: " + string.Join(" -> ", cycle) };
            for (int i = 0; i + 1 < cycle.Length; i++)
            {
                SortedSet<string> why = _edges[cycle[i]][cycle[i + 1]];
                lines.Add($"  {cycle[i]} -> {cycle[i + 1]}:");
                lines.AddRange(why.Take(8).Select(w => "    " + w));
                if (why.Count > 8)
                    lines.Add($"    … and {why.Count - 8} more");
            }
            return string.Join("\n", lines);
        }

        public string Describe() =>
            string.Join("\n", _edges.SelectMany(e => e.Value.Select(t => $"{e.Key} -> {t.Key} ({t.Value.Count})")));

        public static NamespaceGraph FromAssembly(string path)
        {
            var graph = new NamespaceGraph();
            using AssemblyDefinition assembly = AssemblyDefinition.ReadAssembly(path);
            ModuleDefinition module = assembly.MainModule;
            var own = new HashSet<string>(module.GetTypes().Select(t => t.FullName), StringComparer.Ordinal);
            foreach (TypeDefinition type in module.GetTypes())
            {
                var reader = new TypeReferences(graph, own, type);
                reader.ReadType();
            }
            return graph;
        }

        public static NamespaceGraph FromSources(string folder)
        {
            var graph = new NamespaceGraph();
            var namespaceLine = new Regex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline);
            // using N; using static N.T; using A = N.T; (a static or aliased using names a type: its namespace is the rest).
            var usingLine = new Regex(@"^using\s+(static\s+)?(?:\w+\s*=\s*)?(MLNetSeq2Seq[\w.]*)\s*;", RegexOptions.Multiline);
            foreach (string file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(folder, file);
                if (relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    || relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    continue;
                string text = File.ReadAllText(file);
                if (namespaceLine.Match(text) is not { Success: true } declared)
                    continue;
                foreach (Match used in usingLine.Matches(text))
                {
                    string name = used.Groups[2].Value;
                    bool namesType = used.Groups[1].Success || used.Value.Contains('=', StringComparison.Ordinal);
                    string usedNamespace = namesType ? name[..name.LastIndexOf('.')] : name;
                    graph.Add(declared.Groups[1].Value, usedNamespace, relative.Replace('\\', '/') + ": " + used.Value.Trim());
                }
            }
            return graph;
        }
    }

    /// <summary>Adds an edge for every reference one type makes to another type of the library.</summary>
    private sealed class TypeReferences
    {
        private readonly NamespaceGraph _graph;
        private readonly HashSet<string> _own;
        private readonly TypeDefinition _type;

        public TypeReferences(NamespaceGraph graph, HashSet<string> own, TypeDefinition type)
        {
            _graph = graph;
            _own = own;
            _type = type;
        }

        public void ReadType()
        {
            Type(_type.BaseType);
            foreach (InterfaceImplementation implemented in _type.Interfaces)
                Type(implemented.InterfaceType);
            Attributes(_type);
            Constraints(_type);
            foreach (FieldDefinition field in _type.Fields)
            {
                Type(field.FieldType);
                Attributes(field);
            }
            foreach (PropertyDefinition property in _type.Properties)
            {
                Type(property.PropertyType);
                Attributes(property);
            }
            foreach (EventDefinition @event in _type.Events)
                Type(@event.EventType);
            foreach (MethodDefinition method in _type.Methods)
                Method(method);
        }

        private void Method(MethodDefinition method)
        {
            Type(method.ReturnType);
            Attributes(method);
            Constraints(method);
            foreach (ParameterDefinition parameter in method.Parameters)
                Type(parameter.ParameterType);
            foreach (MethodReference overridden in method.Overrides)
                Member(overridden);
            if (!method.HasBody)
                return;
            foreach (VariableDefinition variable in method.Body.Variables)
                Type(variable.VariableType);
            foreach (ExceptionHandler handler in method.Body.ExceptionHandlers)
                Type(handler.CatchType);
            foreach (Instruction instruction in method.Body.Instructions)
            {
                if (instruction.Operand is TypeReference type)
                    Type(type);
                else if (instruction.Operand is MemberReference member)
                    Member(member);
            }
        }

        private void Member(MemberReference member)
        {
            Type(member.DeclaringType);
            if (member is MethodReference method)
            {
                Type(method.ReturnType);
                foreach (ParameterDefinition parameter in method.Parameters)
                    Type(parameter.ParameterType);
                if (method is GenericInstanceMethod generic)
                    foreach (TypeReference argument in generic.GenericArguments)
                        Type(argument);
            }
            else if (member is FieldReference field)
                Type(field.FieldType);
        }

        private void Attributes(ICustomAttributeProvider provider)
        {
            foreach (CustomAttribute attribute in provider.CustomAttributes)
            {
                Type(attribute.AttributeType);
                foreach (CustomAttributeArgument argument in attribute.ConstructorArguments)
                    if (argument.Value is TypeReference type)
                        Type(type);
            }
        }

        private void Constraints(IGenericParameterProvider provider)
        {
            foreach (GenericParameter parameter in provider.GenericParameters)
                foreach (GenericParameterConstraint constraint in parameter.Constraints)
                    Type(constraint.ConstraintType);
        }

        private void Type(TypeReference? type)
        {
            switch (type)
            {
                case null or GenericParameter:
                    return;
                case GenericInstanceType generic:
                    Type(generic.ElementType);
                    foreach (TypeReference argument in generic.GenericArguments)
                        Type(argument);
                    return;
                case TypeSpecification specification: // arrays, by-ref, pointers, modifiers
                    Type(specification.ElementType);
                    return;
            }
            if (!_own.Contains(type.FullName))
                return;
            _graph.Add(Outermost(_type).Namespace, Outermost(type).Namespace, $"{Outermost(_type).FullName} -> {Outermost(type).FullName}");
        }

        private static TypeReference Outermost(TypeReference type)
        {
            while (type.DeclaringType is TypeReference outer)
                type = outer;
            return type;
        }
    }
}
