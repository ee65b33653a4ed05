using System.Reflection;
using System.Reflection.Emit;
using FunnelMetrics.Analytics;

namespace FunnelMetrics.Tests.Architecture;

/// <summary>
/// The core package's namespaces point one way: Model &lt;- Storage &lt;- Recording, Model &lt;- Metrics &lt;- Diagnostics &lt;-
/// Recording/Import, Model &lt;- Metrics &lt;- Forecasting &lt;-
/// Analytics &lt;- Import/Serialization &lt;- DependencyInjection, and Recording &lt;- Analytics (the options graph). Every reference a type makes (base types, fields,
/// signatures, attributes and the members its method bodies use) is read by reflection and its IL, and a reference
/// from a lower layer to a higher one fails the test, naming both types.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>What each namespace of the core may use besides itself; anything else of ours is a backward edge.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["FunnelMetrics"] = [],
        ["FunnelMetrics.Storage"] = ["FunnelMetrics"],
        ["FunnelMetrics.Recording"] = ["FunnelMetrics", "FunnelMetrics.Storage", "FunnelMetrics.Diagnostics"],
        ["FunnelMetrics.Metrics"] = ["FunnelMetrics"],
        // The meter: what the recorder and the importer count on, and the per-stage gauges' calculators.
        ["FunnelMetrics.Diagnostics"] = ["FunnelMetrics", "FunnelMetrics.Metrics"],
        ["FunnelMetrics.Forecasting"] = ["FunnelMetrics", "FunnelMetrics.Metrics"],
        // Analytics holds the options graph, whose Recording section is the recorder's own options type.
        ["FunnelMetrics.Analytics"] = ["FunnelMetrics", "FunnelMetrics.Storage", "FunnelMetrics.Recording", "FunnelMetrics.Metrics", "FunnelMetrics.Forecasting"],
        ["FunnelMetrics.Import"] = ["FunnelMetrics", "FunnelMetrics.Storage", "FunnelMetrics.Recording", "FunnelMetrics.Diagnostics"],
        ["FunnelMetrics.Serialization"] = ["FunnelMetrics", "FunnelMetrics.Storage", "FunnelMetrics.Metrics", "FunnelMetrics.Forecasting", "FunnelMetrics.Analytics"],
        ["FunnelMetrics.DependencyInjection"] = ["*"],
        ["Microsoft.Extensions.DependencyInjection"] = ["*"],
    };

    private static readonly Assembly Core = typeof(FunnelAnalytics).Assembly;

    [Fact]
    public void EveryNamespaceOfTheCore_HasAPlaceInTheLayers()
    {
        var unplaced = Core.GetTypes().Select(t => LayerOf(t)).Where(n => n is not null && !Allowed.ContainsKey(n)).Distinct().ToList();
        Assert.Empty(unplaced);
    }

    [Fact]
    public void NoNamespace_DependsOnALayerAboveIt()
    {
        var backward = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in Core.GetTypes())
        {
            if (type.IsNested || LayerOf(type) is not { } from)
            {
                // Nested types are read with their outer type; compiler-made top-level types belong to no layer.
                continue;
            }

            var allowed = Allowed[from];
            if (allowed is ["*"])
            {
                continue;
            }

            foreach (var used in References(type))
            {
                if (used.Assembly != Core || LayerOf(used) is not { } to || to == from || allowed.Contains(to))
                {
                    continue;
                }

                backward.Add($"{from} -> {to}: {type.FullName} uses {used.FullName}");
            }
        }

        Assert.True(backward.Count == 0, "Backward edges between layers:\n" + string.Join('\n', backward));
    }

    [Fact]
    public void TheScan_SeesReferencesInMethodBodies()
    {
        // A check that the IL reader works: FunnelAnalytics calls calculators only inside its method bodies.
        var used = References(typeof(FunnelAnalytics)).Select(t => t.Namespace).ToHashSet();
        Assert.Contains("FunnelMetrics.Forecasting", used);
        Assert.Contains("FunnelMetrics.Metrics", used);
    }

    /// <summary>The layer of a type: its namespace, with compiler-generated and nested types taking their outer type's.</summary>
    private static string? LayerOf(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.Namespace is null || type.Name.StartsWith('<') ? null : type.Namespace;
    }

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static HashSet<Type> References(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || !found.Add(t))
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
            }

            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var a in t.GetGenericArguments())
                {
                    Add(a);
                }
            }
        }

        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var a in attributes)
            {
                Add(a.AttributeType);
                foreach (var arg in a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.TypedValue)))
                {
                    Add(arg.Value as Type);
                }
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        AddAttributes(type.CustomAttributes);
        foreach (var f in type.GetFields(Everything))
        {
            Add(f.FieldType);
            AddAttributes(f.CustomAttributes);
        }

        foreach (var p in type.GetProperties(Everything))
        {
            Add(p.PropertyType);
            AddAttributes(p.CustomAttributes);
        }

        foreach (var m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (m is MethodInfo mi)
            {
                Add(mi.ReturnType);
            }

            foreach (var p in m.GetParameters())
            {
                Add(p.ParameterType);
            }

            AddAttributes(m.CustomAttributes);
            foreach (var t in BodyReferences(m))
            {
                Add(t);
            }
        }

        foreach (var nested in type.GetNestedTypes(Everything))
        {
            foreach (var t in References(nested))
            {
                Add(t);
            }
        }

        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types a method body names: the owners of the methods and fields it uses and the types it loads or makes.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArgs, methodArgs);
                    }
                    catch (ArgumentException)
                    {
                        // A token the runtime cannot resolve out of its generic context: nothing of ours to check.
                    }

                    if (member is Type t)
                    {
                        yield return t;
                    }
                    else if (member?.DeclaringType is { } owner)
                    {
                        yield return owner;
                        if (member is MethodInfo called)
                        {
                            yield return called.ReturnType;
                        }
                        else if (member is FieldInfo field)
                        {
                            yield return field.FieldType;
                        }
                    }

                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
