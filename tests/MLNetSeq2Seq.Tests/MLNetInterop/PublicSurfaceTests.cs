using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace MLNetSeq2Seq.Tests.MLNetInterop;

public sealed class PublicSurfaceTests
{
    // Users compile against the real ML.NET, where the save/load plumbing is internal: if one of those types
    // leaked into our public API, their build would break although ours (against publicized copies) does not.
    [Fact]
    public void No_public_member_of_the_library_exposes_a_type_that_is_internal_in_the_real_MLNet()
    {
        Assembly library = typeof(Seq2SeqTransformer).Assembly;
        var offenders = new List<string>();
        foreach (Type type in library.GetExportedTypes())
        {
            foreach (Type used in Signatures(type))
                if (IsHidden(used))
                    offenders.Add($"{type.FullName} uses {used.FullName}");
        }
        Assert.Empty(offenders);
    }

    private static IEnumerable<Type> Signatures(Type type)
    {
        const BindingFlags visible = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is not null) yield return type.BaseType;
        foreach (Type i in type.GetInterfaces()) yield return i;
        foreach (MemberInfo member in type.GetMembers(visible).Concat(type.GetMembers(BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => m is MethodBase { IsFamily: true })))
        {
            switch (member)
            {
                case MethodBase method:
                    foreach (ParameterInfo p in method.GetParameters()) yield return p.ParameterType;
                    if (method is MethodInfo m) yield return m.ReturnType;
                    break;
                case PropertyInfo property: yield return property.PropertyType; break;
                case FieldInfo field: yield return field.FieldType; break;
                case EventInfo e when e.EventHandlerType is not null: yield return e.EventHandlerType; break;
            }
        }
    }

    private static bool IsHidden(Type type)
    {
        if (type.HasElementType) return IsHidden(type.GetElementType()!);
        if (type.IsGenericType && type.GetGenericArguments().Any(IsHidden)) return true;
        if (type.IsGenericParameter) return false;
        return type.Assembly.GetName().Name!.StartsWith("Microsoft.ML", StringComparison.Ordinal) && !type.IsVisible;
    }
}
