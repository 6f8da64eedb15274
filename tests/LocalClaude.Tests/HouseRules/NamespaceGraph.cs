using System.Reflection;
using System.Reflection.Emit;

namespace LocalClaude.Tests.HouseRules;

/// <summary>One namespace using another, with one type pair that shows it (<c>Using</c> names <c>Used</c>).</summary>
public sealed record NamespaceEdge(string From, string To, string Using, string Used);

/// <summary>
/// The import graph between the folders of a compiled assembly, read from what the compiler emitted (base types,
/// interfaces, fields, properties, signatures, locals, attributes and every type, method and field token in IL),
/// so fully qualified names and <c>global using</c>s cannot hide an edge. A nested or compiler-generated type
/// (lambda closure, async state machine) counts for the namespace of its outermost declaring type.
/// </summary>
public sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private readonly Func<string, string?> _node;

    /// <summary>Edges between distinct nodes, one evidence pair per edge.</summary>
    public IReadOnlyDictionary<(string From, string To), NamespaceEdge> Edges { get; }

    /// <summary>Every type an edge's source node names in its target node (outermost types), per edge.</summary>
    public IReadOnlyDictionary<(string From, string To), IReadOnlySet<string>> UsedTypes { get; }

    /// <param name="node">Maps a namespace to its graph node (e.g. its folder), or null to leave it out.</param>
    public NamespaceGraph(Assembly assembly, Func<string, string?> node)
    {
        _node = node;
        var edges = new Dictionary<(string, string), NamespaceEdge>();
        var used = new Dictionary<(string, string), HashSet<string>>();
        foreach (var type in assembly.GetTypes())
        {
            var from = NodeOf(type);
            if (from is null) continue;
            foreach (var referenced in ReferencedTypes(type))
            {
                foreach (var part in Flatten(referenced))
                {
                    var to = NodeOf(part);
                    if (to is null || to == from) continue;
                    edges.TryAdd((from, to), new NamespaceEdge(from, to, Outermost(type).FullName!, Outermost(part).FullName!));
                    if (!used.TryGetValue((from, to), out var names)) used[(from, to)] = names = [];
                    names.Add(Outermost(part).FullName!);
                }
            }
        }
        Edges = edges;
        UsedTypes = used.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value);
    }

    /// <summary>Node names grouped as strongly connected components of two or more nodes: each one is a cycle.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var nodes = Edges.Keys.SelectMany(k => new[] { k.From, k.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var next = nodes.ToDictionary(n => n, n => Edges.Keys.Where(k => k.From == n).Select(k => k.To).Order(StringComparer.Ordinal).ToList());
        // Tarjan's algorithm; the graphs here have a few dozen nodes, recursion depth is no concern.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<IReadOnlyList<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in next[v])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add(component.Order(StringComparer.Ordinal).ToList());
        }
        foreach (var n in nodes) if (!index.ContainsKey(n)) Visit(n);
        return result;
    }

    /// <summary>One shortest way round a cycle from its first node, each step with its evidence: "A -> B (X uses Y)".</summary>
    public string Describe(IReadOnlyList<string> cycle)
    {
        var members = cycle.ToHashSet();
        var start = cycle[0];
        // Breadth-first from start's successors back to start, inside the component.
        var previous = new Dictionary<string, string>();
        var queue = new Queue<string>();
        foreach (var e in Edges.Keys.Where(k => k.From == start && members.Contains(k.To)).Order())
            if (previous.TryAdd(e.To, start)) queue.Enqueue(e.To);
        while (queue.Count > 0 && !previous.ContainsKey(start + "\0"))
        {
            var v = queue.Dequeue();
            foreach (var e in Edges.Keys.Where(k => k.From == v && members.Contains(k.To)).Order())
            {
                if (e.To == start) { previous[start + "\0"] = v; break; }
                if (previous.TryAdd(e.To, v)) queue.Enqueue(e.To);
            }
        }
        var path = new List<string> { start };
        for (var v = previous[start + "\0"]; v != start; v = previous[v]) path.Add(v);
        path.Add(start);
        path.Reverse(1, path.Count - 2);
        var steps = path.Zip(path.Skip(1), (a, b) => Edges[(a, b)]).Select(e => $"{e.From} -> {e.To} ({e.Using} uses {e.Used})");
        return string.Join("; ", steps);
    }

    /// <summary>The nodes <paramref name="from"/> imports directly.</summary>
    public IEnumerable<NamespaceEdge> From(string from) => Edges.Values.Where(e => e.From == from);

    private string? NodeOf(Type type) => Outermost(type).Namespace is { } ns ? _node(ns) : null;

    private static Type Outermost(Type type)
    {
        while (type.IsNested) type = type.DeclaringType!;
        return type;
    }

    /// <summary>The type itself, its element type and generic arguments, all the way down.</summary>
    private static IEnumerable<Type> Flatten(Type? type)
    {
        if (type is null || type.IsGenericParameter) yield break;
        if (type.HasElementType) { foreach (var t in Flatten(type.GetElementType())) yield return t; yield break; }
        yield return type;
        if (type.IsConstructedGenericType)
            foreach (var argument in type.GenericTypeArguments)
                foreach (var t in Flatten(argument))
                    yield return t;
    }

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        yield return type.BaseType!;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var a in Attributes(type.CustomAttributes)) yield return a;
        if (type.IsGenericTypeDefinition)
            foreach (var p in type.GetGenericArguments())
                foreach (var c in p.GetGenericParameterConstraints())
                    yield return c;
        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
            foreach (var a in Attributes(field.CustomAttributes)) yield return a;
        }
        foreach (var property in type.GetProperties(Declared))
        {
            yield return property.PropertyType;
            foreach (var a in Attributes(property.CustomAttributes)) yield return a;
        }
        foreach (var e in type.GetEvents(Declared)) yield return e.EventHandlerType!;
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info) yield return info.ReturnType;
            foreach (var a in Attributes(method.CustomAttributes)) yield return a;
            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
                foreach (var a in Attributes(parameter.CustomAttributes)) yield return a;
            }
            foreach (var t in BodyTypes(method)) yield return t;
        }
    }

    private static IEnumerable<Type> Attributes(IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var a in attributes)
        {
            yield return a.AttributeType;
            foreach (var argument in a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.TypedValue)))
                if (argument.Value is Type t) yield return t;
        }
    }

    /// <summary>Locals and every type, field and method token in the IL body.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null) yield break;
        foreach (var local in body.LocalVariables) yield return local.LocalType;
        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            var value = (short)il[position++];
            if (value == 0xFE) value = (short)(0xFE00 | il[position++]);
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineType:
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, position);
                    position += 4;
                    var member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    switch (member)
                    {
                        case Type t: yield return t; break;
                        case FieldInfo f: yield return f.DeclaringType!; yield return f.FieldType; break;
                        case MethodBase m:
                            yield return m.DeclaringType!;
                            if (m.IsGenericMethod) foreach (var g in m.GetGenericArguments()) yield return g;
                            break;
                    }
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar: position += 1; break;
                case OperandType.InlineVar: position += 2; break;
                case OperandType.InlineI8:
                case OperandType.InlineR: position += 8; break;
                case OperandType.InlineSwitch: position += 4 + 4 * BitConverter.ToInt32(il, position); break;
                default: position += 4; break; // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
            }
        }
    }
}
