// /flows: the list, and /flows/:id the editor (its own lazy chunk with React Flow).

import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { FullPageSpinner } from '../../components/Spinner';
import { NotFound } from '../../app/StatusPages';
import { FlowList } from './FlowList';

const FlowEditor = lazy(() => import('./FlowEditor'));

export default function FlowsPage() {
  return (
    <Routes>
      <Route index element={<FlowList />} />
      <Route
        path=":id"
        element={
          <Suspense fallback={<FullPageSpinner />}>
            <FlowEditor />
          </Suspense>
        }
      />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
