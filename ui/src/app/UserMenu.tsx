import * as DM from '@radix-ui/react-dropdown-menu';
import { ChevronDown, LogOut, UserRound } from 'lucide-react';
import { useNavigate } from 'react-router';
import { Avatar } from '../components/Avatar';
import { useToast } from '../components/Toast';
import { errorMessage } from '../lib/api';
import { useLogout, useSession } from '../lib/auth';
import { t } from '../lib/i18n';

const itemClass =
  'flex h-9 cursor-pointer items-center gap-2.5 rounded-md px-2.5 text-sm text-fg outline-none select-none data-[highlighted]:bg-subtle [&_svg]:size-4 [&_svg]:text-faint';

export function UserMenu() {
  const { user } = useSession();
  const navigate = useNavigate();
  const logout = useLogout();
  const toast = useToast();

  async function onLogout() {
    try {
      await logout();
      navigate('/login', { replace: true, state: { notice: t('logout.done') } });
    } catch (e) {
      toast.error(errorMessage(e));
    }
  }

  return (
    <DM.Root>
      <DM.Trigger
        data-testid="user-menu"
        aria-label={t('header.userMenu')}
        className="focus-ring flex items-center gap-2 rounded-full py-1 pr-2 pl-1 hover:bg-subtle data-[state=open]:bg-subtle"
      >
        <Avatar name={user.name} />
        <span className="hidden max-w-40 truncate text-sm font-medium text-fg md:block">{user.name}</span>
        <ChevronDown aria-hidden className="hidden size-4 text-faint md:block" />
      </DM.Trigger>
      <DM.Portal>
        <DM.Content
          align="end"
          sideOffset={6}
          className="animate-fade-in z-50 w-64 rounded-xl border border-line bg-surface p-1.5 shadow-lg"
        >
          <div className="px-2.5 py-2">
            <p className="text-xs text-faint">{t('header.signedInAs')}</p>
            <p className="truncate text-sm font-medium text-fg">{user.name}</p>
            <p className="truncate text-xs text-muted">{user.email}</p>
          </div>
          <DM.Separator className="my-1 h-px bg-line" />
          <DM.Item className={itemClass} onSelect={() => navigate('/profile')} data-testid="menu-profile">
            <UserRound aria-hidden />
            {t('header.profile')}
          </DM.Item>
          <DM.Item className={itemClass} onSelect={onLogout} data-testid="logout">
            <LogOut aria-hidden />
            {t('header.logout')}
          </DM.Item>
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}
