/**
 * `ascope-nb:kernel-bridge`: lets a saved run's view find the kernel of its notebook, so an
 * ended run takes thumbs and comments while a kernel is attached (see kernel.ts).
 */
import { setKernelFinder, IKernelLike } from './kernel.js';

interface IPanelLike {
  node: HTMLElement;
  sessionContext?: { session?: { kernel?: IKernelLike | null } | null };
}

interface IAppLike {
  shell: { widgets(area?: string): Iterable<IPanelLike> };
}

const plugin = {
  id: 'ascope-nb:kernel-bridge',
  description: 'Lets saved ascope_nb runs take feedback through the notebook kernel.',
  autoStart: true,
  activate: (app: IAppLike): void => {
    setKernelFinder(node => {
      for (const panel of app.shell.widgets('main')) {
        const kernel = panel.sessionContext?.session?.kernel;
        if (kernel && panel.node.contains(node)) {
          return kernel;
        }
      }
      return null;
    });
  }
};

export default plugin;
