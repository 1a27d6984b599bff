using System.Security.Claims;
using AlchemyTypes;
using AlchemyTypes.AspNetCore;
using AlchemyTypes.Passwords;
using AlchemyTypes.Sample;
using AlchemyTypes.Sample.Data;
using AlchemyTypes.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);
builder.AddSampleData();
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
{
    o.LoginPath = "/";
    o.Cookie.HttpOnly = true;
    o.Cookie.SameSite = SameSiteMode.Strict;
});
builder.Services.AddAuthorization();
builder.Services.AddAntiforgery();

var app = builder.Build();
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<SampleDbContext>().Database.MigrateAsync();
}

app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapGet("/", async (HttpContext http, SampleDbContext db, StorageRegistry storage, IAntiforgery antiforgery, string? deleted) =>
{
    var token = antiforgery.GetAndStoreTokens(http).RequestToken!;
    User? user = null;
    List<Document> documents = [];
    if (CurrentUserId(http) is { } userId)
    {
        user = await db.Users.FindAsync(userId);
        documents = await db.Documents.Where(d => d.OwnerId == userId).OrderBy(d => d.CreatedAt).ToListAsync();
    }

    bool? deletedStillStored = deleted is null ? null : await storage.Default.ExistsAsync(deleted);
    return Results.Content(HomePage.Render(token, user, documents, deleted, deletedStillStored), "text/html; charset=utf-8");
});

app.MapPost("/signup", async (HttpContext http, SampleDbContext db, [FromForm] string email, [FromForm] string displayName, [FromForm] string password) =>
{
    email = email.Trim().ToLowerInvariant();
    if (await db.Users.AnyAsync(u => u.Email == email))
    {
        return Results.Conflict("That email is already registered.");
    }

    PasswordHash hash;
    try
    {
        hash = PasswordHash.FromPassword(password);
    }
    catch (InvalidPasswordException ex)
    {
        return Results.BadRequest(ex.Message);
    }

    var user = new User { Email = email, DisplayName = displayName.Trim(), Password = hash };
    db.Add(user);
    await db.SaveChangesAsync();
    await SignIn(http, user);
    return Results.Redirect("/");
});

app.MapPost("/signin", async (HttpContext http, SampleDbContext db, [FromForm] string email, [FromForm] string password) =>
{
    email = email.Trim().ToLowerInvariant();
    var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email);   // served by the blind index
    if (user is null)
    {
        return Results.Unauthorized();
    }

    var result = await user.Password.VerifyAndUpgradeAsync(password);
    if (!result.Valid)
    {
        return Results.Unauthorized();
    }

    if (result.NewHash is { } upgraded)
    {
        user.Password = upgraded;   // the stored hash used weaker parameters or another algorithm
        await db.SaveChangesAsync();
    }

    await SignIn(http, user);
    return Results.Redirect("/");
});

app.MapPost("/signout", async (HttpContext http) =>
{
    await http.SignOutAsync();
    return Results.Redirect("/");
});

var documentsApi = app.MapGroup("/documents").RequireAuthorization();

documentsApi.MapPost("/", async (HttpContext http, SampleDbContext db, [FromForm] string title, IFormFile file, IFormFileCollection form) =>
{
    var document = new Document { OwnerId = CurrentUserId(http)!.Value, Title = title, File = file.ToFileObject() };
    foreach (var attachment in form.GetFiles("attachments"))
    {
        document.Attachments.Add(attachment.ToFileObject());
    }

    db.Add(document);
    await db.SaveChangesAsync();   // uploads happen here, before the row commits
    return Results.Redirect("/");
});

documentsApi.MapGet("/{id:guid}/file", async (HttpContext http, SampleDbContext db, Guid id) =>
    await Find(http, db, id) is { File: { } file } ? FileObjectResults.Download(file) : Results.NotFound());

documentsApi.MapGet("/{id:guid}/attachments/{index:int}", async (HttpContext http, SampleDbContext db, Guid id, int index) =>
    await Find(http, db, id) is { } document && index >= 0 && index < document.Attachments.Count
        ? FileObjectResults.Stream(document.Attachments[index])
        : Results.NotFound());

documentsApi.MapPost("/{id:guid}/replace", async (HttpContext http, SampleDbContext db, Guid id, IFormFile file) =>
{
    if (await Find(http, db, id) is not { } document)
    {
        return Results.NotFound();
    }

    document.File = file.ToFileObject();   // the old blob is deleted after the commit
    await db.SaveChangesAsync();
    return Results.Redirect("/");
});

documentsApi.MapPost("/{id:guid}/attachments", async (HttpContext http, SampleDbContext db, Guid id, IFormFile file) =>
{
    if (await Find(http, db, id) is not { } document)
    {
        return Results.NotFound();
    }

    document.Attachments.Add(file.ToFileObject());   // in place: the change tracker sees it
    await db.SaveChangesAsync();
    return Results.Redirect("/");
});

documentsApi.MapPost("/{id:guid}/attachments/{index:int}/delete", async (HttpContext http, SampleDbContext db, Guid id, int index) =>
{
    if (await Find(http, db, id) is not { } document || index < 0 || index >= document.Attachments.Count)
    {
        return Results.NotFound();
    }

    var key = document.Attachments[index].Key;
    document.Attachments.RemoveAt(index);
    await db.SaveChangesAsync();
    return Results.Redirect($"/?deleted={Uri.EscapeDataString(key)}");
});

documentsApi.MapPost("/{id:guid}/delete", async (HttpContext http, SampleDbContext db, Guid id) =>
{
    if (await Find(http, db, id) is not { } document)
    {
        return Results.NotFound();
    }

    var key = document.File?.Key;
    db.Remove(document);
    await db.SaveChangesAsync();   // the blobs are deleted after the commit
    return Results.Redirect(key is null ? "/" : $"/?deleted={Uri.EscapeDataString(key)}");
});

app.MapGet("/api/documents", async (HttpContext http, SampleDbContext db) =>
{
    var userId = CurrentUserId(http)!.Value;
    var documents = await db.Documents.Where(d => d.OwnerId == userId).OrderBy(d => d.CreatedAt).ToListAsync();
    return Results.Ok(documents.Select(d => new
    {
        d.Id,
        d.Title,
        File = d.File is null ? null : Describe(d.File),
        Attachments = d.Attachments.Select(Describe),
    }));
}).RequireAuthorization();

app.Run();

static object Describe(FileObject file) => new { file.FileName, file.Key, file.Backend, file.ContentType, file.Size, file.Checksum, file.ETag };

static Guid? CurrentUserId(HttpContext http)
    => Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

static Task SignIn(HttpContext http, User user)
    => http.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()), new Claim(ClaimTypes.Name, user.DisplayName)],
        CookieAuthenticationDefaults.AuthenticationScheme)));

static async Task<Document?> Find(HttpContext http, SampleDbContext db, Guid id)
{
    var userId = CurrentUserId(http);
    return await db.Documents.SingleOrDefaultAsync(d => d.Id == id && d.OwnerId == userId);
}

/// <summary>The entry point type, visible to the end-to-end test.</summary>
public partial class Program;
