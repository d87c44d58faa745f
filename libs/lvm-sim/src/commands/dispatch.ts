/** Which simulated command runs for a command name, and lvm2's answers for names it does not run. */
import { LVM_EXIT } from '@copse/lvm-model';
import type { SimContext } from '../context';
import { parseArgs } from '../options';
import { Exit } from '../output';
import type { SimCommand } from './command';
import { lvchange } from './lvchange';
import { lvcreate } from './lvcreate';
import { lvremove } from './lvremove';
import { resizeCommand } from './lvresize';
import { lvs } from './lvs';
import { pvcreate } from './pvcreate';
import { vgcreate } from './vgcreate';
import { vgs } from './vgs';

const COMMANDS: Readonly<Record<string, SimCommand>> = {
  pvcreate,
  vgcreate,
  lvcreate,
  lvchange,
  lvresize: resizeCommand('lvresize'),
  lvextend: resizeCommand('lvextend'),
  lvreduce: resizeCommand('lvreduce'),
  lvremove,
  lvs,
  vgs,
};

/** Commands lvm2 knows; those the simulation does not implement answer so explicitly. */
const LVM_COMMANDS = new Set([
  'config', 'devtypes', 'dumpconfig', 'formats', 'fullreport', 'help', 'lastlog', 'lvchange', 'lvconvert',
  'lvcreate', 'lvdisplay', 'lvextend', 'lvmconfig', 'lvmdevices', 'lvmdiskscan', 'lvmsadc', 'lvmsar', 'lvpoll',
  'lvreduce', 'lvremove', 'lvrename', 'lvresize', 'lvs', 'lvscan', 'pvchange', 'pvck', 'pvcreate', 'pvdisplay',
  'pvmove', 'pvremove', 'pvresize', 'pvs', 'pvscan', 'segtypes', 'systemid', 'tags', 'vgcfgbackup',
  'vgcfgrestore', 'vgchange', 'vgck', 'vgconvert', 'vgcreate', 'vgdisplay', 'vgexport', 'vgextend',
  'vgimport', 'vgimportclone', 'vgimportdevices', 'vgmerge', 'vgmknodes', 'vgreduce', 'vgremove', 'vgrename',
  'vgs', 'vgscan', 'vgsplit', 'version',
]);

/** Parses argv for the named command and runs it; ends with Exit on lvm2's errors. */
export function dispatch(name: string, argv: readonly string[], ctx: SimContext): void {
  const { out } = ctx;
  // Own properties only: "constructor" or "toString" is no command.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    if (LVM_COMMANDS.has(name)) {
      out.error(`Command ${name} is not implemented by the simulated lvm2.`);
      throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
    }
    out.error("No such command.  Try 'lvm help'.");
    throw new Exit(2);
  }
  const parsed = parseArgs(name, argv, command.options);
  if (!parsed.ok) {
    for (const line of parsed.stderr) {
      if (line.raw) out.rawErr(`${line.text}\n`);
      else out.error(line.text);
    }
    out.error('Error during parsing of command line.');
    throw new Exit(LVM_EXIT.INVALID_PARAMETERS);
  }
  command.run(ctx, parsed.args);
}
