/**
 * Leaving the builder with unsaved changes asks first. Every in-app way out is a navigation
 * of the data router — the app bar's links, "Log out" (it goes to `/logout`), the back arrow,
 * links in the panels, the browser's Back and Forward — so `useBlocker` alone holds it until
 * the user answers; closing or reloading the tab gets the browser's own prompt.
 */
import { useCallback, useEffect } from "react";
import { useBlocker, type BlockerFunction } from "react-router-dom";

export function useLeaveGuard(dirty: boolean) {
  const blocker = useBlocker(
    useCallback<BlockerFunction>(
      ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
      [dirty],
    ),
  );

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);

  return {
    /** A navigation is held, waiting for the answer. */
    asking: blocker.state === "blocked",
    stay: () => {
      if (blocker.state === "blocked") blocker.reset();
    },
    leave: () => {
      if (blocker.state === "blocked") blocker.proceed();
    },
  };
}
