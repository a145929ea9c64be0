namespace Flow.Stages.Audio;

/// <summary>Finds a relative asset path from the working directory or the application's folder upwards.</summary>
internal static class AssetLocator
{
    public static string? Find(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return File.Exists(path) || Directory.Exists(path) ? path : null;
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, path);
                if (File.Exists(candidate) || Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
