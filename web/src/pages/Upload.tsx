// Upload CUR or FOCUS exports: the files stream to the server with a progress bar, then the
// ingest job is followed until it ends; detection and a forecast follow it on the server.
import { useState, type FormEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { get, uploadFiles, type Job } from "../api/client";
import { errorText } from "../components/States";

const finished = (job: Job | undefined) =>
  job !== undefined && ["succeeded", "failed", "cancelled"].includes(job.status);

function JobStatus({ id }: { id: number }) {
  const client = useQueryClient();
  const job = useQuery({
    queryKey: ["job", id],
    queryFn: async () => {
      const current = await get<Job>(`/api/jobs/${id}`);
      // The cube changed: every cost, anomaly and forecast read is stale.
      if (current.status === "succeeded") {
        await client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "job" });
      }
      return current;
    },
    refetchInterval: (query) => (finished(query.state.data) ? false : 1000),
  });
  if (job.isError) return <div className="notice error" role="alert">{errorText(job.error)}</div>;
  const data = job.data;
  if (!data) return <p className="muted">Waiting for the ingest job…</p>;
  const result = data.result as { files?: { name: string; rows: number; format: string;
                                            rejected_rows: number }[] } | null;
  return (
    <div className="card" data-testid="ingest-job" aria-live="polite">
      <h2>Ingest job {data.id}: {data.status}</h2>
      {!finished(data) && (
        <>
          <progress max={1} value={data.progress} aria-label="Ingest progress" />
          <p className="muted">{data.progress_message ?? "queued"}</p>
        </>
      )}
      {data.status === "succeeded" && (
        <>
          <ul>
            {(result?.files ?? []).map((file) => (
              <li key={file.name}>
                {file.name}: {file.format}, {file.rows.toLocaleString()} rows
                {file.rejected_rows > 0 && `, ${file.rejected_rows} rejected`}
              </li>
            ))}
          </ul>
          <p>Anomaly detection and a forecast are running on the new data.</p>
          <p><Link to="/">See the Overview</Link> · <Link to="/costs">Explore costs</Link></p>
        </>
      )}
      {data.status === "failed" && (
        <div className="notice error" role="alert">{data.error ?? "the ingest failed"}</div>
      )}
    </div>
  );
}

export function Upload() {
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<number | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (files.length === 0) return;
    setError(null);
    setJobId(null);
    setProgress(0);
    try {
      const job = await uploadFiles(files, setProgress);
      setJobId(job.id);
    } catch (failure) {
      setError(errorText(failure));
      setProgress(null);
    }
  };

  const uploading = progress !== null && jobId === null && error === null;
  return (
    <section>
      <h1>Upload billing data</h1>
      <p className="muted">
        AWS Cost and Usage Reports (legacy CUR or CUR 2.0) and FOCUS exports from AWS, Azure, GCP
        or OCI, as .csv or .csv.gz. All parts of one report go in one upload; a billing period
        uploaded again replaces the earlier one.
      </p>
      <form className="card upload" onSubmit={(event) => void submit(event)}>
        <label>
          Files
          <input type="file" multiple accept=".csv,.gz,text/csv,application/gzip"
                 onChange={(event) => setFiles([...(event.target.files ?? [])])} />
        </label>
        {files.length > 0 && (
          <p className="muted">
            {files.length} file{files.length > 1 ? "s" : ""},{" "}
            {(files.reduce((sum, f) => sum + f.size, 0) / 1e6).toFixed(1)} MB
          </p>
        )}
        {progress !== null && (
          <progress max={1} value={progress} aria-label="Upload progress" />
        )}
        {error && <div className="notice error" role="alert">{error}</div>}
        <div>
          <button type="submit" className="primary" disabled={files.length === 0 || uploading}>
            {uploading ? `Uploading ${Math.round((progress ?? 0) * 100)}%` : "Upload"}
          </button>
        </div>
      </form>
      {jobId !== null && <JobStatus id={jobId} />}
    </section>
  );
}
