using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlchemyTypes.Sample;

/// <summary>The sample's one stylesheet, served at <c>/site.css</c> and linked by every page.</summary>
internal static class SiteStyle
{
    public const string Path = "/site.css";

    public const string Link = "<link rel=\"stylesheet\" href=\"/site.css\">";

    public const string Css = """
        :root{color-scheme:light dark;--accent:#2f5fb3;--muted:#667;--line:#d8dbe2;--note:#eef3ff;--bad:#fde8e8;--badline:#c33}
        *{box-sizing:border-box}
        body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
        h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
        a{color:var(--accent)}small,.muted{color:var(--muted)}
        form{margin:.4rem 0}input,button{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:.3rem}
        button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}button.link{background:none;color:var(--accent);border:none;padding:0}
        table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid var(--line);padding:.5rem;text-align:left;vertical-align:top}
        .note{background:var(--note);border-left:.3rem solid var(--accent);padding:.6rem 1rem}
        .problem{border-left:.3rem solid var(--badline);background:var(--bad);padding:1rem}
        progress{width:20rem}progress[data-state=failed]+span{color:var(--badline)}
        @media (prefers-color-scheme:dark){body{background:#14171f;color:#e6e8ee}.note{background:#1d2740}.problem{background:#3a1d1d}}
        """;
}

/// <summary>Sizes as people read them: "512 bytes", "1.2 MB", "30 MB" (decimal units, as storage services and disks count).</summary>
internal static class HumanSize
{
    private static readonly string[] Units = ["KB", "MB", "GB", "TB"];

    public static string Format(long bytes)
    {
        if (bytes < 1000)
        {
            return bytes == 1 ? "1 byte" : $"{bytes} bytes";
        }

        double value = bytes;
        var unit = -1;
        while (value >= 999.95 && unit < Units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return (value < 10 ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString("0", CultureInfo.InvariantCulture))
            + " " + Units[unit];
    }
}

/// <summary><c>/health</c> as JSON: the overall status, and each check's status, reason and duration.</summary>
internal static class HealthJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                reason = e.Value.Description ?? e.Value.Exception?.Message ?? (e.Value.Status == HealthStatus.Healthy ? "OK" : "no reason given"),
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                data = e.Value.Data.ToDictionary(d => d.Key, d => d.Value?.ToString()),
            }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, Options), http.RequestAborted);
    }

    public static HealthCheckOptions CheckOptions => new() { ResponseWriter = WriteAsync };
}
