/**
 * Files on their way into a knowledge base: one upload at a time (progress streams hold
 * connections too), each with its bytes sent; a refused file stays listed with its error.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";

import { messageOf } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import type { Document } from "./documentProgress";
import { uploadDocument, type UploadProgress } from "./upload";

export interface Upload {
  key: number;
  filename: string;
  /** Set once its bytes start going (uploads wait their turn). */
  progress?: UploadProgress;
  error?: string;
}

export function useUploads(kbId: string, onUploaded: () => void) {
  const queryClient = useQueryClient();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const nextKey = useRef(0);

  const setProgress = (key: number, progress: UploadProgress) =>
    setUploads((now) => now.map((u) => (u.key === key ? { ...u, progress } : u)));

  const add = (files: File[]) => {
    for (const file of files) {
      const key = nextKey.current++;
      setUploads((now) => [...now, { key, filename: file.name }]);
      queue.current = queue.current.then(async () => {
        try {
          setProgress(key, { loaded: 0, total: file.size || null });
          const document = await uploadDocument(kbId, file, {
            onProgress: (progress) => setProgress(key, progress),
          });
          queryClient.setQueryData<Document[]>(queryKeys.knowledgeBases.documents(kbId), (now) => [
            document,
            ...(now ?? []).filter((d) => d.id !== document.id),
          ]);
          setUploads((now) => now.filter((u) => u.key !== key));
          onUploaded();
        } catch (err) {
          setUploads((now) => now.map((u) => (u.key === key ? { ...u, error: messageOf(err) } : u)));
        }
      });
    }
  };

  const dismiss = (key: number) => setUploads((now) => now.filter((u) => u.key !== key));

  return {
    inFlight: uploads.filter((u) => !u.error),
    failed: uploads.filter((u) => u.error),
    add,
    dismiss,
  };
}
