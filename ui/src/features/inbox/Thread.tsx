import { useEffect, useState } from 'react';
import { useSession } from '../../lib/auth';
import { useJoin } from '../../lib/realtime';
import type { Member } from '../../lib/types';
import { ReadOnlyNotice } from '../support/ReadOnlyNotice';
import { Composer } from './Composer';
import { setOpenConversation } from './live';
import { MessageList } from './MessageList';
import { ThreadHeader } from './ThreadHeader';
import type { Conversation, Message } from './types';

interface Props {
  conv: Conversation;
  members: Map<string, Member>;
  onBack?: () => void;
  onTogglePanel: () => void;
  panelOpen: boolean;
  /** Open at this message (a search hit), see MessageList. */
  target?: string | null;
  onTargetDone?: () => void;
}

export function Thread({ conv, members, onBack, onTogglePanel, panelOpen, target, onTargetDone }: Props) {
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const readOnly = Boolean(useSession().support);
  useJoin(conv.id);

  // the read marker is set by MessageList once the newest inbound message is on screen
  useEffect(() => {
    setOpenConversation(conv.id);
    setReplyTo(null);
    return () => setOpenConversation(null);
  }, [conv.id]);

  return (
    <section data-testid="thread" data-conversation-id={conv.id} className="flex min-h-0 min-w-0 flex-1 flex-col">
      <ThreadHeader conv={conv} members={members} onBack={onBack} onTogglePanel={onTogglePanel} panelOpen={panelOpen} />
      <MessageList conversationId={conv.id} members={members} onReply={setReplyTo} target={target} onTargetDone={onTargetDone} />
      {readOnly ? <ReadOnlyNotice /> : <Composer key={conv.id} conv={conv} replyTo={replyTo} onClearReply={() => setReplyTo(null)} />}
    </section>
  );
}
