using Flow.Stages.Video;
using OpenCvSharp;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// Generates a test video with known face boxes: real face photos (Grace Hopper's portrait from Debian
/// <c>facedetect</c>, faces from npm <c>@vladmandic/face-api</c>'s group photos) cut out around their
/// faces and moved over real backgrounds (Debian <c>opencv-doc</c> photos), changing background every
/// few frames. The face boxes in the source photos were annotated by hand.
/// </summary>
public static class SyntheticFaceClip
{
    /// <summary>The face photos and each face's box in it (hand-annotated, source pixels).</summary>
    internal static readonly (string File, BoundingBox Face)[] Faces =
    [
        ("grace_hopper_512x512.jpg", new BoundingBox(172, 126, 365, 318)),
        ("sample3.jpg", new BoundingBox(1063, 255, 1317, 509)),
        ("sample6.jpg", new BoundingBox(1464, 309, 1710, 555)),
    ];

    /// <summary>The background photos.</summary>
    internal static readonly string[] Backgrounds = ["building.jpg", "640px-IceBlockNearJoekullsarlon.jpg", "home.jpg", "fruits.jpg"];

    private const float Margin = 0.3f;

    /// <summary>Writes the clip and returns its ground truth.</summary>
    /// <param name="videoPath">Where to write: .avi (MJPG) or .mp4 (mp4v).</param>
    /// <param name="options">Size and length; by default <see cref="SyntheticClipOptions"/>' defaults.</param>
    /// <param name="assetsDirectory">Where the photos are; by default <see cref="VideoAssets.Directory"/>.</param>
    /// <returns>The clip's path and its boxes per frame.</returns>
    /// <exception cref="FileNotFoundException">A photo is missing (run scripts/setup.sh).</exception>
    /// <exception cref="IOException">The video cannot be written.</exception>
    public static GroundTruthClip Generate(string videoPath, SyntheticClipOptions? options = null, string? assetsDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(videoPath);
        var o = options?.Clone() ?? new SyntheticClipOptions();
        string assets = assetsDirectory ?? VideoAssets.Directory;
        var sprites = new List<(Mat Image, BoundingBox Face)>();
        var backgrounds = new List<Mat>();
        try
        {
            foreach (var (file, face) in Faces)
            {
                using var photo = Load(assets, file);
                float mw = face.Width * Margin, mh = face.Height * Margin;
                var crop = new Rect((int)(face.X1 - mw), (int)(face.Y1 - mh), (int)(face.Width + 2 * mw), (int)(face.Height + 2 * mh));
                crop = crop.Intersect(new Rect(0, 0, photo.Width, photo.Height));
                sprites.Add((new Mat(photo, crop).Clone(), new BoundingBox(face.X1 - crop.X, face.Y1 - crop.Y, face.X2 - crop.X, face.Y2 - crop.Y)));
            }

            foreach (var file in Backgrounds)
            {
                using var photo = Load(assets, file);
                var background = new Mat();
                Cv2.Resize(photo, background, new Size(o.Width, o.Height), 0, 0, InterpolationFlags.Area);
                backgrounds.Add(background);
            }

            string? parent = Path.GetDirectoryName(Path.GetFullPath(videoPath));
            if (parent is not null)
            {
                Directory.CreateDirectory(parent);
            }

            var codec = Path.GetExtension(videoPath).Equals(".mp4", StringComparison.OrdinalIgnoreCase) ? FourCC.FromFourChars('m', 'p', '4', 'v') : FourCC.FromFourChars('M', 'J', 'P', 'G');
            using var writer = new VideoWriter(videoPath, codec, o.FramesPerSecond, new Size(o.Width, o.Height));
            if (!writer.IsOpened())
            {
                throw new IOException($"video file '{videoPath}' cannot be created");
            }

            var frames = new List<IReadOnlyList<GroundTruthBox>>(o.FrameCount);
            using var canvas = new Mat();
            for (int t = 0; t < o.FrameCount; t++)
            {
                backgrounds[(t / o.FramesPerBackground) % backgrounds.Count].CopyTo(canvas);
                var boxes = new List<GroundTruthBox>(sprites.Count);
                for (int i = 0; i < sprites.Count; i++)
                {
                    var (sprite, face) = sprites[i];
                    float laneWidth = (float)o.Width / sprites.Count;
                    float size = o.FaceSize * (1 + 0.15f * MathF.Sin(2 * MathF.PI * t / 45f + i));
                    float scale = size / face.Width;
                    int w = (int)(sprite.Width * scale), h = (int)(sprite.Height * scale);
                    float cx = laneWidth * (i + 0.5f) + (laneWidth - w) * 0.4f * MathF.Sin(2 * MathF.PI * t / 40f + 2 * i);
                    float cy = o.Height / 2f + (o.Height - h) * 0.4f * MathF.Cos(2 * MathF.PI * t / 60f + i);
                    int x = Math.Clamp((int)(cx - w / 2f), 0, o.Width - w);
                    int y = Math.Clamp((int)(cy - h / 2f), 0, o.Height - h);
                    using (var roi = new Mat(canvas, new Rect(x, y, w, h)))
                    {
                        Cv2.Resize(sprite, roi, new Size(w, h), 0, 0, InterpolationFlags.Area);
                    }

                    boxes.Add(new GroundTruthBox(i, new BoundingBox(x + face.X1 * scale, y + face.Y1 * scale, x + face.X2 * scale, y + face.Y2 * scale)));
                }

                writer.Write(canvas);
                frames.Add(boxes);
            }

            return new GroundTruthClip(videoPath, frames);
        }
        finally
        {
            sprites.ForEach(s => s.Image.Dispose());
            backgrounds.ForEach(b => b.Dispose());
        }
    }

    private static Mat Load(string assets, string file)
    {
        string path = Path.Combine(assets, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"photo '{path}' not found (run scripts/setup.sh to fetch the video assets)", path);
        }

        var image = Cv2.ImRead(path, ImreadModes.Color);
        if (image.Empty())
        {
            image.Dispose();
            throw new InvalidDataException($"photo '{path}' cannot be decoded");
        }

        return image;
    }
}
