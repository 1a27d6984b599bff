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

// Recorded storage deletes processed, and storage reconciled with the rows, in the background (one process: SQLite).
var maintenance = builder.Configuration.GetSection("Maintenance");
builder.Services.AddFileMaintenance<SampleDbContext>(m =>
{
    m.Interval = maintenance.GetValue("Interval", TimeSpan.FromHours(1));
    m.InitialDelay = maintenance.GetValue("InitialDelay", TimeSpan.FromMinutes(1));
    m.Reconcile = new() { GracePeriod = maintenance.GetValue("GracePeriod", TimeSpan.FromHours(24)) };
});

var app = builder.Build();
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<SampleDbContext>().Database.MigrateAsync();
}

// Bare status codes (a stale form's antiforgery token, a page that does not exist, a body over the limit) get a page too.
app.UseStatusCodePages(async context =>
{
    var response = context.HttpContext.Response;
    var (title, message) = response.StatusCode switch
    {
        400 => ("The form could not be accepted", "The page was probably open for too long: reload it and try again."),
        401 or 403 => ("Please sign in", "Sign in or sign up on the start page first."),
        404 => ("Not found", "That document or file does not exist, or it is not yours."),
        413 => ("That file is too large", "The server accepts uploads of up to 30 MB through the form."),
        _ => ("Something went wrong", "Try again in a moment."),
    };
    response.ContentType = "text/html; charset=utf-8";
    await response.WriteAsync(ErrorPage.Render(response.StatusCode, title, message));
});
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
        return ErrorPage.Result(StatusCodes.Status409Conflict, "That email is already registered",
            "Sign in with it instead, or sign up with another email address.");
    }

    PasswordHash hash;
    try
    {
        hash = PasswordHash.FromPassword(password);
    }
    catch (InvalidPasswordException ex)
    {
        return ErrorPage.Result(StatusCodes.Status400BadRequest, "Choose another password", ex.Message);
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
    var result = user is null ? null : await user.Password.VerifyAndUpgradeAsync(password);
    if (user is null || result is not { Valid: true })
    {
        // One answer for an unknown email and a wrong password: the page must not tell which accounts exist.
        return ErrorPage.Result(StatusCodes.Status401Unauthorized, "Wrong email or password",
            "Check both and try again. Passwords are case-sensitive.");
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
    return await SaveUploads(db) ?? Results.Redirect("/");   // uploads happen here, before the row commits
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
    return await SaveUploads(db) ?? Results.Redirect("/");
});

documentsApi.MapPost("/{id:guid}/attachments", async (HttpContext http, SampleDbContext db, Guid id, IFormFile file) =>
{
    if (await Find(http, db, id) is not { } document)
    {
        return Results.NotFound();
    }

    document.Attachments.Add(file.ToFileObject());   // in place: the change tracker sees it
    return await SaveUploads(db) ?? Results.Redirect("/");
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

// Null when the save committed; otherwise the page saying why the file was refused (nothing was stored or kept).
static async Task<IResult?> SaveUploads(SampleDbContext db)
{
    try
    {
        await db.SaveChangesAsync();
        return null;
    }
    catch (FileValidationException ex)
    {
        return ErrorPage.Result(StatusCodes.Status422UnprocessableEntity, "That file was not accepted", ex.Message);
    }
}

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
