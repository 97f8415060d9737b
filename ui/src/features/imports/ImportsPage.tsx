// /imports: upload + list; /imports/:id: mapping, chat preview or progress.

import { Route, Routes } from 'react-router';
import { NotFound } from '../../app/StatusPages';
import { ImportDetail } from './ImportDetail';
import { ImportList } from './ImportList';
import { useProgressFrames } from './useProgressFrames';

export default function ImportsPage() {
  useProgressFrames();
  return (
    <Routes>
      <Route index element={<ImportList />} />
      <Route path=":id" element={<ImportDetail />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
