using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.Passwords;
using AlchemyTypes.Sample.Data;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Sample;

/// <summary>
/// Sign-in without a timing oracle: an unknown email costs one password verification, like a wrong password, against a
/// dummy hash made at startup by the same hasher (so with the same parameters and cost).
/// </summary>
internal sealed class SignInCheck
{
    private readonly IPasswordHasher _hasher;
    private readonly string _dummyHash;

    public SignInCheck(IPasswordHasher hasher)
    {
        _hasher = hasher;
        _dummyHash = hasher.Hash(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>The user whose email and password these are, or null; the new hash to store when an upgrade is due.</summary>
    public async Task<(User? User, PasswordHash? NewHash)> CheckAsync(
        SampleDbContext db, string email, string password, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, cancellationToken);   // served by the blind index
        if (string.IsNullOrEmpty(password))
        {
            return (null, null);   // refused without hashing, whether the account exists or not
        }

        if (user is null)
        {
            var bytes = Encoding.UTF8.GetBytes(password);
            try
            {
                await _hasher.VerifyAsync(bytes, _dummyHash, cancellationToken);   // the same work as a wrong password
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }

            return (null, null);
        }

        var result = await user.Password.VerifyAndUpgradeAsync(password, cancellationToken);
        return result.Valid ? (user, result.NewHash) : (null, null);
    }
}

/// <summary>
/// Antiforgery on every state-changing request. ASP.NET Core's middleware only enforces the token on endpoints that bind
/// a form; this filter enforces it on the others too (posts without form fields, and JSON posts, which send the token
/// in the <c>RequestVerificationToken</c> header).
/// </summary>
internal static class AntiforgeryFilter
{
    public static TBuilder RequireAntiforgeryToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
                && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
            {
                return ErrorPage.Result(StatusCodes.Status400BadRequest, "The form could not be accepted",
                    "The page was probably open for too long, or the request did not come from this site: reload the page and try again.");
            }

            return await next(context);
        });
}

/// <summary>
/// A one-time message for the next page (what TempData does in MVC), in a protected, HttpOnly, SameSite=Strict cookie:
/// nothing the message says comes from the URL, so a link cannot make the page say or check anything.
/// </summary>
internal static class Flash
{
    private const string CookieName = "sample.flash";

    public static void Set(HttpContext http, string message)
        => http.Response.Cookies.Append(CookieName, Protector(http).Protect(message),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });

    public static string? Take(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var value))
        {
            return null;
        }

        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
        try
        {
            return Protector(http).Unprotect(value);
        }
        catch (CryptographicException)
        {
            return null;   // altered, or protected with a key this app no longer has
        }
    }

    private static IDataProtector Protector(HttpContext http)
        => http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("AlchemyTypes.Sample.Flash");
}
