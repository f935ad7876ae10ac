using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace MLNetSeq2Seq.Tests.Architecture;

/// <summary>Every method call in an assembly's IL, with the type and method it is made from: what the IL scans
/// (Scalar ownership, global-generator draws) read.</summary>
internal static class IlCalls
{
    public static IEnumerable<(TypeDefinition Type, MethodDefinition Method, Instruction Instruction, MethodReference Called)> In(AssemblyDefinition assembly) =>
        from type in assembly.MainModule.GetTypes()
        from method in type.Methods
        where method.HasBody
        from instruction in method.Body.Instructions
        where instruction.Operand is MethodReference
        select (type, method, instruction, (MethodReference)instruction.Operand);
}
