// Copies text to the clipboard and says so.
import { useState } from "react";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("failed");  // e.g. not a secure context: the text stays selectable
    }
    setTimeout(() => setCopied("no"), 2000);
  };
  return (
    <button type="button" onClick={() => void copy()} aria-live="polite">
      {copied === "yes" ? "Copied" : copied === "failed" ? "Select and copy by hand" : label}
    </button>
  );
}
