using System.Security.Cryptography;
using System.Text;

namespace Psim.Runtime;

/// <summary>
/// Derives independent, stable random streams from a run's one seed, so that adding a use of
/// randomness in one place does not shift the numbers another place draws.
/// </summary>
public static class Seeds
{
    public static int Derive(long seed, string stream)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{stream}"));
        return BitConverter.ToInt32(bytes, 0) & int.MaxValue;
    }

    public static Random Random(long seed, string stream) => new(Derive(seed, stream));
}
