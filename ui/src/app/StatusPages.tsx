import { Compass, Lock } from 'lucide-react';
import { Link } from 'react-router';
import { buttonClass } from '../components/Button';
import { EmptyState } from '../components/EmptyState';
import { t } from '../lib/i18n';

export function NotFound() {
  return (
    <EmptyState
      icon={Compass}
      title={t('notFound.title')}
      body={t('notFound.body')}
      action={
        <Link to="/inbox" className={buttonClass('secondary')}>
          {t('notFound.back')}
        </Link>
      }
    />
  );
}

export function Forbidden() {
  return <EmptyState icon={Lock} title={t('forbidden.title')} body={t('forbidden.body')} />;
}
