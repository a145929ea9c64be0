using Flow.Pipeline;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// The detections of a run's first frames, found by <see cref="FrameCostProbe"/> while it timed them. The pipeline
/// passes them on for those frames instead of letterboxing and detecting the frames again: the preprocess stage gives
/// such a frame an empty tensor (<see cref="Letterbox"/>) and the detect stage answers it from here
/// (<see cref="Wrap"/>). The detectors are deterministic, so the results are those the pipeline would have found.
/// </summary>
internal sealed class DetectedAhead(IReadOnlyList<Detection>[] detections)
{
    /// <summary>How many of the first frames have their detections here (frames 0 to Count - 1).</summary>
    public int Count => detections.Length;

    /// <summary>Whether frame <paramref name="index"/>'s detections are known.</summary>
    public bool Contains(long index) => index >= 0 && index < detections.Length;

    /// <summary>Frame <paramref name="index"/>'s detections (see <see cref="Contains"/>).</summary>
    public IReadOnlyList<Detection> Of(long index) => detections[index];

    /// <summary>The preprocess step: a frame detected ahead gets an empty tensor, any other is letterboxed.</summary>
    public TensorFrame Letterbox(Frame frame, TensorFormat format) => Contains(frame.Index)
        ? new TensorFrame(frame, [], LetterboxTransform.Compute(frame.Width, frame.Height, format.Width, format.Height))
        : FrameTensors.Letterbox(frame, format);

    /// <summary>A replica that answers the frames detected ahead and gives the others to <paramref name="replica"/>.</summary>
    public IStage<TensorFrame[], DetectionFrame[]> Wrap(IStage<TensorFrame[], DetectionFrame[]> replica) => new Stage(this, replica);

    private sealed class Stage(DetectedAhead ahead, IStage<TensorFrame[], DetectionFrame[]> inner) : IStage<TensorFrame[], DetectionFrame[]>
    {
        public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken) => inner.OpenAsync(context, cancellationToken);

        public ValueTask<DetectionFrame[]> ProcessAsync(TensorFrame[] item, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(item);
            return AnyAhead(item) ? MergeAsync(item, cancellationToken) : inner.ProcessAsync(item, cancellationToken);
        }

        public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

        /// <summary>Whether the batch holds a frame detected ahead (a plain loop: this runs for every batch of the run).</summary>
        private bool AnyAhead(TensorFrame[] batch)
        {
            foreach (var tensor in batch)
            {
                if (ahead.Contains(tensor.Frame.Index))
                {
                    return true;
                }
            }

            return false;
        }

        private async ValueTask<DetectionFrame[]> MergeAsync(TensorFrame[] batch, CancellationToken cancellationToken)
        {
            var rest = batch.Where(t => !ahead.Contains(t.Frame.Index)).ToArray();
            var found = rest.Length == 0 ? [] : await inner.ProcessAsync(rest, cancellationToken).ConfigureAwait(false);
            var results = new DetectionFrame[batch.Length];
            for (int i = 0, next = 0; i < batch.Length; i++)
            {
                var frame = batch[i].Frame;
                results[i] = ahead.Contains(frame.Index) ? new DetectionFrame(frame, ahead.Of(frame.Index)) : found[next++];
            }

            return results;
        }
    }
}
