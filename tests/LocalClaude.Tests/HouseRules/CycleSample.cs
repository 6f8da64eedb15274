// A planted namespace cycle for NamespaceCycleTests: Left and Right import each other only inside a lambda and
// after an await (compiler-generated nested types), with fully qualified names and no using directive.
namespace LocalClaude.Tests.HouseRules.CycleSample.Left
{
    internal sealed class Target;

    internal static class UsesRightInALambda
    {
        public static Func<object> Make(int seed) => () => seed > 0 ? new Right.Target() : seed;
    }
}

namespace LocalClaude.Tests.HouseRules.CycleSample.Right
{
    internal sealed class Target;

    internal static class UsesLeftAfterAwait
    {
        public static async Task<object> MakeAsync()
        {
            await Task.Yield();
            return new Left.Target();
        }
    }
}

namespace LocalClaude.Tests.HouseRules.CycleSample.Acyclic
{
    internal static class UsesRight
    {
        public static string Name() => typeof(Right.Target).Name;
    }
}
