import type { FocusAnswer, FocusProbe } from './focus-probe.ts';

// Windows Terminal under WSL: which window is in front is Windows' to say (GetForegroundWindow),
// and no WSL program can ask it within a notification's budget: powershell.exe takes a second or
// more to start, and even then Windows Terminal's tabs are one window whose selected tab no
// program outside it can read ($WT_SESSION names the tab, nothing maps it to "selected").
// So the answer is "unknown" (notify), said once in the log and in the window.

export function wslProbe(): FocusProbe {
  return {
    name: 'Windows Terminal (WSL)',
    // A terminal of WSLg's own X server sets WINDOWID and is the X11 probe's (asked first).
    applies: (metadata) => typeof metadata.wsl_distro === 'string' && metadata.wsl_distro !== '',
    unknowable:
      'Windows tells WSL programs nothing about the window in front in time (powershell.exe starts too slowly), ' +
      'and no program outside Windows Terminal can tell which of its tabs is selected',
    async check(): Promise<FocusAnswer> {
      return 'unknown';
    },
  };
}
